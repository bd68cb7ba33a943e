import { healthcheck, type PingDetails, type PingFailure } from './healthcheck.js';
import { checkMetricsFile, writeMetricsFile } from './metrics-file.js';
import type { RunSummary } from './run-summary.js';

/** What watches a run from outside: the dead-man's switch and the Prometheus metrics file, either or both unset. */
export interface RunMonitor {
  /** Sends the start ping while the run goes on: a slow monitor never holds up the work. Never throws. */
  start(): void;
  /** The end ping and the metrics file. Never throws: a monitor that fails never changes how the run ends. */
  finish(summary: RunSummary): Promise<void>;
}

export interface RunMonitorOptions {
  healthcheckUrl: string | undefined;
  healthcheckDetails: PingDetails;
  metricsFile: string | undefined;
  runId: string;
  warn: (fields: Partial<PingFailure>, message: string) => void;
}

/** Checks the metrics file's folder now (a MetricsFileError, exit 2, before any work) and returns the monitor. */
export async function runMonitor(options: RunMonitorOptions): Promise<RunMonitor> {
  const { metricsFile, warn } = options;
  if (metricsFile) await checkMetricsFile(metricsFile);
  const ping = healthcheck(options.healthcheckUrl, { runId: options.runId, details: options.healthcheckDetails, warn });
  let started: Promise<void> = Promise.resolve();
  return {
    start() {
      started = ping.start();
    },
    async finish(summary) {
      // The end ping after the start one, so the monitor sees them in order.
      await started;
      if (metricsFile) {
        await writeMetricsFile(metricsFile, summary).catch((error: Error) => {
          warn({}, `the metrics file ${metricsFile} could not be written: ${error.message}`);
        });
      }
      await ping.finish(summary);
    },
  };
}
