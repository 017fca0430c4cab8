/** The 2023 validity extension (docs/card.md, "The 2023 validity extension"). */

/** Cards expiring on or before this Italian calendar day could be extended... */
export const LAST_ELIGIBLE_EXPIRY = '2023-12-30';
/** ...until the end of this Italian day: 31/12/2023 23:59:59 Europe/Rome (CET, UTC+1). */
export const EXTENDED_NOT_AFTER = new Date('2023-12-31T22:59:59Z');

export { OID_ATTR_CARD_ID, OID_ATTR_SERIAL, OID_EXTENDED_MARKER } from '../cert/oids.js';
