export { asciiAddress, type EmailAddress, parseEmailAddress } from './email-address.js';
export { type ParsedAddresses, parseAddresses } from './field.js';
export { type Address, type Recipients, withoutRepeats } from './recipients.js';
