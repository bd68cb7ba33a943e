import { startEmbeddedPostgres } from '../../src/demo/embedded-postgres.js';
import pg from 'pg';
const t=Date.now(); const s = await startEmbeddedPostgres(); console.log(s.url, Date.now()-t);
const c = new pg.Client(s.url); await c.connect(); console.log((await c.query('select version()')).rows[0]); await c.end(); await s.stop(); console.log('stopped', Date.now()-t);
