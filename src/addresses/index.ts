export { addressKey, asciiAddress, comparedAs, type EmailAddress, parseEmailAddress, sameAddress } from './email-address.js';
export { type ParsedAddresses, parseAddresses } from './field.js';
export { type Address, type AddressLists, withoutRepeats } from './recipients.js';
