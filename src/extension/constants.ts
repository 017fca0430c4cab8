/** The 2023 validity extension (docs/cns-card.md, last section). */

/** Cards expiring on or before this Italian calendar day could be extended... */
export const LAST_ELIGIBLE_EXPIRY = '2023-12-30';
/** ...until the end of this Italian day: 31/12/2023 23:59:59 Europe/Rome (CET, UTC+1). */
export const EXTENDED_NOT_AFTER = new Date('2023-12-31T22:59:59Z');

/**
 * The project's own OIDs, under a UUID arc (ITU-T X.667, 2.25.<uuid>), so none is borrowed:
 * .1 the marker extension of an extended certificate (value: the old serial number),
 * .2 / .3 the PKCS#10 attributes carrying the card id and the current certificate's serial.
 */
export const OID_ARC = '2.25.322182549778494371301064093730123874917';
export const OID_EXTENDED_MARKER = `${OID_ARC}.1`;
export const OID_ATTR_CARD_ID = `${OID_ARC}.2`;
export const OID_ATTR_SERIAL = `${OID_ARC}.3`;
