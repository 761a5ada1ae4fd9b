import { describe, expect, it } from 'vitest';
import {
  AIBOT_STREAM_CONTENT_MAX_BYTES,
  AibotCodecError,
  buildAibotEncryptedReply,
  buildAibotStreamReply,
  parseAibotEnvelope,
  parseAibotMessage,
  stripMention,
} from '../../src/wecom/aibot-codec.ts';
import { WecomCryptoError, createCallbackCipher } from '../../src/wecom/crypto.ts';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AibotCodecError) return err.code;
    throw err;
  }
  throw new Error('expected an AibotCodecError');
}

// Shapes from doc 100719 (receive) and 101027 (events).
const groupText = {
  msgid: 'CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=',
  aibotid: 'AIBOTID',
  chatid: 'CHATID',
  chattype: 'group',
  from: { userid: 'USERID' },
  response_url: 'https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=RC',
  msgtype: 'text',
  text: { content: '@RobotA hello robot' },
  quote: { msgtype: 'text', text: { content: '这是今日的测试情况' } },
};

const enterChat = {
  msgid: 'CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=',
  create_time: 1700000000,
  aibotid: 'AIBOTID',
  from: { corpid: 'wpxxxx', userid: 'USERID' },
  msgtype: 'event',
  event: { eventtype: 'enter_chat' },
};

describe('parseAibotEnvelope', () => {
  it('reads encrypt', () => {
    expect(parseAibotEnvelope('{"encrypt":"abc+/="}')).toEqual({ encrypt: 'abc+/=' });
    expect(parseAibotEnvelope(' {"encrypt":"x","other":1} ')).toEqual({ encrypt: 'x' });
  });

  it('refuses bodies that are not a JSON object', () => {
    for (const bad of ['', 'encrypt=abc', '<xml><Encrypt>a</Encrypt></xml>', '[]', 'null', '"abc"', '{"encrypt":']) {
      expect(codeOf(() => parseAibotEnvelope(bad)), bad).toBe('malformed');
    }
  });

  it('refuses a missing, empty or non-string encrypt', () => {
    expect(codeOf(() => parseAibotEnvelope('{}'))).toBe('missing_field');
    expect(codeOf(() => parseAibotEnvelope('{"encrypt":""}'))).toBe('missing_field');
    expect(codeOf(() => parseAibotEnvelope('{"encrypt":null}'))).toBe('missing_field');
    expect(codeOf(() => parseAibotEnvelope('{"encrypt":123}'))).toBe('malformed');
    expect(codeOf(() => parseAibotEnvelope('{"encrypt":["a"]}'))).toBe('malformed');
  });
});

describe('parseAibotMessage', () => {
  it('parses a group text message', () => {
    expect(parseAibotMessage(JSON.stringify(groupText))).toEqual({
      msgid: 'CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=',
      aibotid: 'AIBOTID',
      chatid: 'CHATID',
      chattype: 'group',
      from: { userid: 'USERID' },
      msgtype: 'text',
      text: '@RobotA hello robot',
      event: null,
      responseUrl: 'https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=RC',
      streamId: null,
    });
  });

  it('parses the escaped slash of the doc sample', () => {
    expect(parseAibotMessage(String.raw`{"msgid":"CAIQ16HMjQYY\/NGagIOAgAMgq4KM0AI=","aibotid":"A","chattype":"single","from":{"userid":"u"},"msgtype":"text","text":{"content":"hi"}}`).msgid).toBe(
      'CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=',
    );
  });

  it('a single chat has no chatid', () => {
    const { chatid: _c, ...single } = { ...groupText, chattype: 'single', text: { content: '本周进度' } };
    expect(parseAibotMessage(JSON.stringify(single))).toMatchObject({ chatid: null, chattype: 'single', text: '本周进度' });
  });

  it('parses an enter_chat event, which carries no chattype', () => {
    expect(parseAibotMessage(JSON.stringify(enterChat))).toEqual({
      msgid: enterChat.msgid,
      aibotid: 'AIBOTID',
      chatid: null,
      chattype: 'single',
      from: { userid: 'USERID' },
      msgtype: 'event',
      text: null,
      event: 'enter_chat',
      responseUrl: null,
      streamId: null,
    });
  });

  it('parses template_card_event and feedback_event names', () => {
    for (const eventtype of ['template_card_event', 'feedback_event']) {
      const m = parseAibotMessage(JSON.stringify({ ...enterChat, chattype: 'group', chatid: 'C', event: { eventtype, [eventtype]: {} } }));
      expect(m).toMatchObject({ event: eventtype, chattype: 'group', chatid: 'C' });
    }
    expect(codeOf(() => parseAibotMessage(JSON.stringify({ ...enterChat, event: {} })))).toBe('missing_field');
  });

  it('joins the text items of a mixed message; other types have no text', () => {
    const mixed = {
      ...groupText,
      msgtype: 'mixed',
      text: undefined,
      mixed: {
        msg_item: [
          { msgtype: 'text', text: { content: '@机器人 这是今日的测试情况' } },
          { msgtype: 'image', image: { url: 'https://example.invalid/i' } },
          { msgtype: 'text', text: { content: '第二段' } },
        ],
      },
    };
    expect(parseAibotMessage(JSON.stringify(mixed)).text).toBe('@机器人 这是今日的测试情况\n第二段');
    const image = { ...groupText, msgtype: 'image', text: undefined, image: { url: 'https://example.invalid/i' } };
    expect(parseAibotMessage(JSON.stringify(image)).text).toBeNull();
  });

  it('reports the stream id of a stream refresh callback', () => {
    const refresh = { msgid: 'm2', aibotid: 'A', chatid: 'C', chattype: 'group', from: { userid: 'u' }, msgtype: 'stream', stream: { id: 'S1' } };
    expect(parseAibotMessage(JSON.stringify(refresh))).toMatchObject({ msgtype: 'stream', streamId: 'S1', text: null });
  });

  it('refuses missing ids and unknown chattypes', () => {
    const { msgid: _m, ...noMsgid } = groupText;
    expect(codeOf(() => parseAibotMessage(JSON.stringify(noMsgid)))).toBe('missing_field');
    expect(codeOf(() => parseAibotMessage(JSON.stringify({ ...groupText, from: {} })))).toBe('missing_field');
    expect(codeOf(() => parseAibotMessage(JSON.stringify({ ...groupText, from: undefined })))).toBe('missing_field');
    expect(codeOf(() => parseAibotMessage(JSON.stringify({ ...groupText, msgtype: '' })))).toBe('missing_field');
    expect(codeOf(() => parseAibotMessage(JSON.stringify({ ...groupText, msgid: 12345678901234567890 })))).toBe('malformed');
    expect(codeOf(() => parseAibotMessage(JSON.stringify({ ...groupText, chattype: 'channel' })))).toBe('malformed');
    expect(codeOf(() => parseAibotMessage('not json'))).toBe('malformed');
  });
});

describe('stripMention', () => {
  it.each([
    ['@RobotA hello robot', 'hello robot'],
    ['@督办助手\u2005本周进度', '本周进度'],
    ['@督办助手\u3000查询 经贸办', '查询 经贸办'],
    ['@督办助手 \u3000 \t多个空白', '多个空白'],
    ['  @Bot  x', 'x'],
    ['@Bot', ''],
    ['@Bot\n第二行', '第二行'],
    ['没有提及', '没有提及'],
    ['查询 @Bot 进度', '查询 @Bot 进度'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(stripMention(input)).toBe(expected);
  });

  it('strips only the leading mention', () => {
    expect(stripMention('@Bot @张三 请跟进')).toBe('@张三 请跟进');
  });

  it('with botName: names containing spaces, or followed directly by punctuation', () => {
    expect(stripMention('@督办 助手 本周进度', '督办 助手')).toBe('本周进度');
    expect(stripMention('@督办助手，本周进度', '督办助手')).toBe('，本周进度');
    expect(stripMention('@别人 你好', '督办助手')).toBe('你好');
  });
});

describe('replies', () => {
  it('buildAibotStreamReply writes the doc 101031 stream shape', () => {
    expect(buildAibotStreamReply({ id: 'S1', content: '已记录：经贸办 80%', finish: true })).toBe(
      '{"msgtype":"stream","stream":{"id":"S1","finish":true,"content":"已记录：经贸办 80%"}}',
    );
    expect(JSON.parse(buildAibotStreamReply({ id: 'S1', content: 'a"b\\c\n', finish: true })).stream.content).toBe('a"b\\c\n');
  });

  it('buildAibotStreamReply refuses an empty id and content over 20480 bytes', () => {
    expect(() => buildAibotStreamReply({ id: '', content: 'x', finish: true })).toThrow(RangeError);
    expect(() => buildAibotStreamReply({ id: 's', content: '中'.repeat(6827), finish: true })).toThrow(RangeError); // 20481 bytes
    expect(() => buildAibotStreamReply({ id: 's', content: 'x'.repeat(AIBOT_STREAM_CONTENT_MAX_BYTES), finish: true })).not.toThrow();
  });

  it('buildAibotEncryptedReply writes the doc 101033 envelope with a numeric timestamp', () => {
    expect(buildAibotEncryptedReply({ encrypt: 'E', msgsignature: 'S', timestamp: '1641002400', nonce: 'N' })).toBe(
      '{"encrypt":"E","msgsignature":"S","timestamp":1641002400,"nonce":"N"}',
    );
    expect(buildAibotEncryptedReply({ encrypt: 'E', msgsignature: 'S', timestamp: 1641002400, nonce: 'N' })).toBe(
      '{"encrypt":"E","msgsignature":"S","timestamp":1641002400,"nonce":"N"}',
    );
  });

  it('buildAibotEncryptedReply refuses a timestamp whose number would not match the signed text', () => {
    for (const ts of ['0123', '1.5', '', 'abc', '1e9', ' 1', '99999999999999999999']) {
      expect(() => buildAibotEncryptedReply({ encrypt: 'E', msgsignature: 'S', timestamp: ts, nonce: 'N' }), ts).toThrow(RangeError);
    }
  });
});

describe('AI bot callback end to end (receiveId "")', () => {
  const bot = createCallbackCipher({ token: 'aibotToken', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', receiveId: '' });

  it('callback: envelope → verify → decrypt → message → stripped text', () => {
    const ts = '1700000000';
    const nonce = 'n0nce';
    const sealed = bot.encryptAndSign(JSON.stringify(groupText), ts, nonce);
    const body = JSON.stringify({ encrypt: sealed.encrypt });

    const { encrypt } = parseAibotEnvelope(body);
    const msg = parseAibotMessage(bot.verifyAndDecrypt(sealed.signature, ts, nonce, encrypt));
    expect(msg.msgid).toBe(groupText.msgid);
    expect(stripMention(msg.text ?? '')).toBe('hello robot');

    expect(() => bot.verifyAndDecrypt(sealed.signature, ts, 'other-nonce', encrypt)).toThrow(WecomCryptoError);
  });

  it('reply: stream plaintext → encrypt and sign → JSON envelope the other side can open', () => {
    const ts = '1700000001';
    const nonce = 'n0nce';
    const plain = buildAibotStreamReply({ id: 'S1', content: '本周进度已汇总', finish: true });
    const sealed = bot.encryptAndSign(plain, ts, nonce);
    const reply = JSON.parse(
      buildAibotEncryptedReply({ encrypt: sealed.encrypt, msgsignature: sealed.signature, timestamp: ts, nonce }),
    ) as { encrypt: string; msgsignature: string; timestamp: number; nonce: string };

    expect(bot.verify(reply.msgsignature, String(reply.timestamp), reply.nonce, reply.encrypt)).toBe(true);
    expect(JSON.parse(bot.decrypt(reply.encrypt))).toEqual({ msgtype: 'stream', stream: { id: 'S1', finish: true, content: '本周进度已汇总' } });
  });
});
