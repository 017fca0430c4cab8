// Written by scripts/known-issuers.mjs from fixtures/test-ca.pem: do not edit.
/**
 * The project's TEST certification authority (fixtures/test-ca.pem), which signs the virtual
 * cards' certificates: its name as parseCertificate() writes a certificate's issuer, its RSA key
 * (hex) and its DER (base64). In the code, so that checking a certificate it signed reads and
 * parses no file (issue 27); test/cert-verify.test.ts checks every field against the fixture.
 */
export const TEST_CA = {
  subject: 'C=IT, O=cns project TEST CA - not a real authority, CN=cns Virtual TS-CNS Test CA (DO NOT TRUST)',
  modulus:
    '8dd5a1e375bdc6f46ed01c8944621e8244f54d1025b0a3559defa1375c2510d47f9ccb90aff111ff71384fd625d1634b' +
    '0a27a464d66010203224fab114760e977d7b53a0de0541fcae792ba1ac4c19152ad02ef96fd17da48fe6943a584feea5' +
    '537f191b9bf2ff9d697f10d7edabae54104aafb8b1cb45c70f85c1b3cd37a61023d3adb305cf1d116218a0b21d6e7a25' +
    '3cdd48635b61b510d1329b164c55b00c06a47d877e1525c47d4813a580a051c70794b07337a07da9cc4a394d97d9ff72' +
    '67bf95becfe2303ed26cd5ebd82f9954fe3ab8076d53e4d7a0bb4d5af9a1697188cdcc6354ba0e90036c66b244b1f53e' +
    '173f7ec68e2819852ac76298e0571ba9',
  exponent: '010001',
  der:
    'MIIDtDCCAp6gAwIBAgIQASrzF8w3PhVTxnj570V5+DALBgkqhkiG9w0BAQswdjELMAkGA1UEBhMCSVQxMzAxBgNVBAoMKmNu' +
    'cyBwcm9qZWN0IFRFU1QgQ0EgLSBub3QgYSByZWFsIGF1dGhvcml0eTEyMDAGA1UEAwwpY25zIFZpcnR1YWwgVFMtQ05TIFRl' +
    'c3QgQ0EgKERPIE5PVCBUUlVTVCkwHhcNMTAwMTAxMDAwMDAwWhcNNDkxMjMxMjM1OTU5WjB2MQswCQYDVQQGEwJJVDEzMDEG' +
    'A1UECgwqY25zIHByb2plY3QgVEVTVCBDQSAtIG5vdCBhIHJlYWwgYXV0aG9yaXR5MTIwMAYDVQQDDCljbnMgVmlydHVhbCBU' +
    'Uy1DTlMgVGVzdCBDQSAoRE8gTk9UIFRSVVNUKTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAI3VoeN1vcb0btAc' +
    'iURiHoJE9U0QJbCjVZ3voTdcJRDUf5zLkK/xEf9xOE/WJdFjSwonpGTWYBAgMiT6sRR2Dpd9e1Og3gVB/K55K6GsTBkVKtAu' +
    '+W/RfaSP5pQ6WE/upVN/GRub8v+daX8Q1+2rrlQQSq+4sctFxw+FwbPNN6YQI9OtswXPHRFiGKCyHW56JTzdSGNbYbUQ0TKb' +
    'FkxVsAwGpH2HfhUlxH1IE6WAoFHHB5SwczegfanMSjlNl9n/cme/lb7P4jA+0mzV69gvmVT+OrgHbVPk16C7TVr5oWlxiM3M' +
    'Y1S6DpADbGayRLH1Phc/fsaOKBmFKsdimOBXG6kCAwEAAaNCMEAwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYw' +
    'HQYDVR0OBBYEFGSjhx5CSkDbfiRWS+ADvtITVaGnMAsGCSqGSIb3DQEBCwOCAQEAIa8E3U9P5LWLXk8/+gvHTyNCnYUn7CBk' +
    '1Ymm0ZJpygcEXJ0hIYn+KXFN0pZsOIu/K0BQktXUwvuOKi1wCDGJS/COU4Ut981dTKFaDebDztlNInp5jRe4e/fBjnTKd2EI' +
    'ghUCiIymCPErNUzYEtwdUv+QULyCe/3z8yhozPIUwidx5cZS5Q3L8f08Hyze/1DjwA3qniPFIM06R8WpCJC83A1T87iSkjnv' +
    'nuxnsG/jbWsutB4FlN9deTB8EjttjhlyagrIIek4n4wDalKqJTJj3vvtaxkhfkMlgyPyvSMrsocg28MNQBETvT/SEooxBmoV' +
    'yg6XSr53iRcW6ws9ltH2kg==',
} as const;
