/**
 * The project's own OIDs, under a UUID arc (ITU-T X.667, 2.25.<uuid>), so none is borrowed:
 * .1 the marker extension of a certificate renewed by the 2023 validity extension (value: the
 * old serial number), .2 / .3 the PKCS#10 attributes carrying the card id and the current
 * certificate's serial. They live here, below both the certificate summary and the extension.
 */
export const OID_ARC = '2.25.322182549778494371301064093730123874917';
export const OID_EXTENDED_MARKER = `${OID_ARC}.1`;
export const OID_ATTR_CARD_ID = `${OID_ARC}.2`;
export const OID_ATTR_SERIAL = `${OID_ARC}.3`;
