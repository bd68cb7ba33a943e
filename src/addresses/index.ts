export { parseEmailAddress, type EmailAddress } from './email-address.js';
export { parseAddresses, type ParsedAddresses } from './field.js';
export { withoutRepeats, type Address, type Recipients } from './recipients.js';
