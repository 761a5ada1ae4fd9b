// Development values for local mode (no WECOM_SECRET): fixed, so the simulator in another process
// signs callbacks the running bot accepts. Used only for settings that are not given.
export const LOCAL_WECOM = {
  corpId: 'wwlocal0000000001',
  agentId: '1000002',
  secret: 'local-dev-secret',
  token: 'duban-local-token',
  encodingAESKey: 'ZHViYW4tbG9jYWwtZGV2LWtleS0wMTIzNDU2Nzg5YWJ',
  aibotToken: 'duban-local-aibot-token',
  aibotEncodingAESKey: 'ZHViYW4tbG9jYWwtYWlib3Qta2V5LTAxMjM0NTY3ODk',
} as const;
