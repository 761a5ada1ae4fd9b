import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  WecomXmlError,
  buildAppEventXml,
  buildAppTextMessageXml,
  buildCallbackPostXml,
  buildEncryptedEnvelopeXml,
  buildTextReplyXml,
  parseAppMessageXml,
  parseEnvelopeXml,
  buildAppImageMessageXml,
} from '../../src/wecom/xml.ts';

const V = JSON.parse(readFileSync(new URL('../fixtures/wecom/official-sample-vectors.json', import.meta.url), 'utf8')) as {
  corpId: string;
  message: { post_xml: string; expected_plain_xml: string };
};

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof WecomXmlError) return err.code;
    throw err;
  }
  throw new Error('expected a WecomXmlError');
}

const both = [parseEnvelopeXml, parseAppMessageXml] as const;

describe('parseEnvelopeXml', () => {
  it('parses the official POST body', () => {
    const env = parseEnvelopeXml(V.message.post_xml);
    expect(env.toUserName).toBe(V.corpId);
    expect(env.agentId).toBe('218');
    expect(env.encrypt.startsWith('RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+')).toBe(true);
    expect(env.encrypt.endsWith('+qN+E7Q==')).toBe(true);
  });

  it('reads tags by name whatever their order, with or without CDATA, with layout whitespace', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<xml>
  <AgentID>1000002</AgentID>
  <Encrypt>
    <![CDATA[abc+/=]]>
  </Encrypt>
  <ToUserName>ww123</ToUserName>
</xml>`;
    expect(parseEnvelopeXml(xml)).toEqual({ toUserName: 'ww123', encrypt: 'abc+/=', agentId: '1000002' });
  });

  it('AgentID and ToUserName are optional; Encrypt is not', () => {
    expect(parseEnvelopeXml('<xml><Encrypt>abc</Encrypt></xml>')).toEqual({ toUserName: '', encrypt: 'abc', agentId: null });
    expect(codeOf(() => parseEnvelopeXml('<xml><ToUserName>x</ToUserName></xml>'))).toBe('missing_field');
    expect(codeOf(() => parseEnvelopeXml('<xml><Encrypt></Encrypt></xml>'))).toBe('missing_field');
    expect(codeOf(() => parseEnvelopeXml('<xml><Encrypt><![CDATA[]]></Encrypt></xml>'))).toBe('missing_field');
    expect(codeOf(() => parseEnvelopeXml('<xml/>'))).toBe('missing_field');
  });

  it('a repeated Encrypt is refused rather than picked at random', () => {
    expect(codeOf(() => parseEnvelopeXml('<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>'))).toBe('malformed');
  });

  it('reads what buildEncryptedEnvelopeXml writes', () => {
    const xml = buildEncryptedEnvelopeXml({ encrypt: 'ENC+/=', signature: 'abc123', timestamp: '1409659813', nonce: 'n1' });
    expect(xml).toBe(
      '<xml><Encrypt><![CDATA[ENC+/=]]></Encrypt><MsgSignature><![CDATA[abc123]]></MsgSignature>' +
        '<TimeStamp>1409659813</TimeStamp><Nonce><![CDATA[n1]]></Nonce></xml>',
    );
    expect(parseEnvelopeXml(xml).encrypt).toBe('ENC+/=');
  });

  it('buildCallbackPostXml reproduces the official POST body', () => {
    const env = parseEnvelopeXml(V.message.post_xml);
    expect(buildCallbackPostXml({ toUserName: env.toUserName, encrypt: env.encrypt, agentId: '218' })).toBe(V.message.post_xml);
  });
});

describe('refusals', () => {
  const xxe = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Encrypt>&xxe;</Encrypt><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>`;
  const laughs = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]><xml><Encrypt>&lol2;</Encrypt></xml>`;

  it.each(both)('DOCTYPE / ENTITY are refused with code entity (%o)', (parse) => {
    expect(codeOf(() => parse(xxe))).toBe('entity');
    expect(codeOf(() => parse(laughs))).toBe('entity');
    expect(codeOf(() => parse('<!ENTITY a "b"><xml><Encrypt>x</Encrypt></xml>'))).toBe('entity');
    expect(codeOf(() => parse('<xml><!DOCTYPE x><Encrypt>x</Encrypt></xml>'))).toBe('entity');
    expect(codeOf(() => parse('<!doctype xml><xml><Encrypt>x</Encrypt></xml>'))).toBe('entity');
    // A comment mentioning CDATA must not hide what follows it.
    expect(codeOf(() => parse('<!-- <![CDATA[ --><!DOCTYPE x [<!ENTITY e "x">]><xml><Encrypt>]]></Encrypt></xml>'))).toBe('entity');
  });

  it('a literal "<!DOCTYPE" inside CDATA is user content, not a declaration', () => {
    const xml = buildAppTextMessageXml({
      corpId: 'ww1',
      fromUser: 'u',
      createTime: 1,
      content: '<!DOCTYPE html><!ENTITY x "y">',
      msgId: '1',
      agentId: '2',
    });
    expect(parseAppMessageXml(xml).content).toBe('<!DOCTYPE html><!ENTITY x "y">');
  });

  it.each(both)('malformed input is refused with code malformed (%o)', (parse) => {
    for (const bad of [
      '',
      'not xml at all',
      '{"encrypt":"abc"}',
      '<xml><Encrypt>abc</xml>',
      '<xml><Encrypt>abc</Encrypt>',
      '<xml><Encrypt>abc</Encrypt></xml><xml><Encrypt>def</Encrypt></xml>',
      '<root><Encrypt>abc</Encrypt></root>',
      'junk<xml><Encrypt>abc</Encrypt></xml>',
      '<xml><Encrypt><![CDATA[abc</Encrypt></xml>',
      '<xml><!-- unterminated <Encrypt>abc</Encrypt></xml>',
    ]) {
      expect(codeOf(() => parse(bad)), JSON.stringify(bad)).toBe('malformed');
    }
  });

  it('non-string input is refused', () => {
    expect(codeOf(() => parseEnvelopeXml(undefined as unknown as string))).toBe('malformed');
  });
});

describe('parseAppMessageXml', () => {
  it('parses the official decrypted text message', () => {
    expect(parseAppMessageXml(V.message.expected_plain_xml)).toEqual({
      toUserName: V.corpId,
      fromUserName: 'mycreate',
      createTime: '1409659813',
      msgType: 'text',
      content: 'hello',
      msgId: '4561255354251345929',
      agentId: '218',
      event: null,
      eventKey: null,
      mediaId: null,
      picUrl: null,
      taskId: null,
      cardType: null,
      responseCode: null,
      selectedItems: {},
    });
  });

  it('never coerces: "007" stays "007", 64-bit ids keep every digit', () => {
    const xml =
      '<xml><ToUserName>007</ToUserName><FromUserName>0012</FromUserName><CreateTime>0001</CreateTime>' +
      '<MsgType>text</MsgType><Content>007</Content><MsgId>18446744073709551615</MsgId><AgentID>007</AgentID></xml>';
    const m = parseAppMessageXml(xml);
    expect(m.toUserName).toBe('007');
    expect(m.fromUserName).toBe('0012');
    expect(m.createTime).toBe('0001');
    expect(m.content).toBe('007');
    expect(m.msgId).toBe('18446744073709551615');
    expect(m.agentId).toBe('007');
    for (const v of ['true', '1e3', '0x10', '-0', 'null']) {
      expect(parseAppMessageXml(xml.replace('<Content>007</Content>', `<Content>${v}</Content>`)).content).toBe(v);
    }
  });

  it('reads fields in any order and without CDATA', () => {
    const xml =
      '<xml><MsgId>42</MsgId><Content>hi there</Content><MsgType>text</MsgType><AgentID>5</AgentID>' +
      '<CreateTime>1700000000</CreateTime><FromUserName>zhangsan</FromUserName><ToUserName>ww1</ToUserName></xml>';
    expect(parseAppMessageXml(xml)).toMatchObject({ fromUserName: 'zhangsan', content: 'hi there', msgId: '42', agentId: '5' });
  });

  it('keeps Content exactly, decodes entities only outside CDATA', () => {
    const base = '<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>';
    expect(parseAppMessageXml(`${base}<Content><![CDATA[  two  spaces \n]]></Content></xml>`).content).toBe('  two  spaces \n');
    expect(parseAppMessageXml(`${base}<Content>a &amp; b &lt;c&gt; &#x4E2D;&#25991; &quot;q&quot; &apos;</Content></xml>`).content).toBe(
      'a & b <c> 中文 "q" \'',
    );
    expect(parseAppMessageXml(`${base}<Content><![CDATA[a &amp; b]]></Content></xml>`).content).toBe('a &amp; b');
    // Double-escaped text decodes exactly once.
    expect(parseAppMessageXml(`${base}<Content>&amp;lt;</Content></xml>`).content).toBe('&lt;');
    expect(parseAppMessageXml(`${base}<Content></Content></xml>`).content).toBe('');
    expect(parseAppMessageXml(`${base}</xml>`).content).toBeNull();
  });

  it('missing required fields → missing_field', () => {
    const full = {
      ToUserName: 'a',
      FromUserName: 'b',
      CreateTime: '1',
      MsgType: 'text',
    };
    for (const drop of Object.keys(full)) {
      const xml = `<xml>${Object.entries(full)
        .filter(([k]) => k !== drop)
        .map(([k, v]) => `<${k}>${v}</${k}>`)
        .join('')}</xml>`;
      expect(codeOf(() => parseAppMessageXml(xml)), drop).toBe('missing_field');
    }
  });

  it('parses events, including an empty EventKey', () => {
    const click = buildAppEventXml({ corpId: 'ww1', fromUser: 'lisi', createTime: 1700000000, event: 'click', eventKey: 'report_progress', agentId: '1000002' });
    expect(parseAppMessageXml(click)).toEqual({
      toUserName: 'ww1',
      fromUserName: 'lisi',
      createTime: '1700000000',
      msgType: 'event',
      content: null,
      msgId: null,
      agentId: '1000002',
      event: 'click',
      eventKey: 'report_progress',
      mediaId: null,
      picUrl: null,
      taskId: null,
      cardType: null,
      responseCode: null,
      selectedItems: {},
    });
    const enter = buildAppEventXml({ corpId: 'ww1', fromUser: 'lisi', createTime: 1, event: 'enter_agent', eventKey: '', agentId: '1' });
    expect(enter).toContain('<EventKey><![CDATA[]]></EventKey>');
    expect(parseAppMessageXml(enter)).toMatchObject({ event: 'enter_agent', eventKey: null });
    const sub = buildAppEventXml({ corpId: 'ww1', fromUser: 'lisi', createTime: 1, event: 'subscribe', agentId: '1' });
    expect(sub).not.toContain('EventKey');
    expect(parseAppMessageXml(sub)).toMatchObject({ event: 'subscribe', eventKey: null });
  });

  it('ignores attributes, comments and nested elements it does not read', () => {
    const xml =
      '<xml><!-- c --><ToUserName a="1">ww1</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime>' +
      '<MsgType>event</MsgType><Event>LOCATION</Event><ScanCodeInfo><ScanType>qrcode</ScanType></ScanCodeInfo>' +
      '<SendPicsInfo><Count>2</Count><PicList><item><PicMd5Sum>a</PicMd5Sum></item><item><PicMd5Sum>b</PicMd5Sum></item></PicList></SendPicsInfo></xml>';
    expect(parseAppMessageXml(xml)).toMatchObject({ toUserName: 'ww1', event: 'LOCATION' });
  });
});

describe('builders', () => {
  it('buildAppTextMessageXml reproduces the official plaintext byte for byte', () => {
    expect(
      buildAppTextMessageXml({
        corpId: V.corpId,
        fromUser: 'mycreate',
        createTime: 1409659813,
        content: 'hello',
        msgId: '4561255354251345929',
        agentId: '218',
      }),
    ).toBe(V.message.expected_plain_xml);
  });

  it('buildTextReplyXml swaps the parties and writes the passive-reply layout', () => {
    expect(buildTextReplyXml({ toUser: 'zhangsan', fromUser: 'ww1', createTime: 1700000000, content: '收到' })).toBe(
      '<xml><ToUserName><![CDATA[zhangsan]]></ToUserName><FromUserName><![CDATA[ww1]]></FromUserName>' +
        '<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[收到]]></Content></xml>',
    );
  });

  it('CDATA content containing "]]>" round-trips exactly', () => {
    for (const content of [']]>', 'a]]>b', ']]>]]>', 'x]]]>y', ']]', '<![CDATA[nested]]>', '<b>&amp;</b> & <', '  lead and trail  ', '第一行\n第二行\n']) {
      const reply = buildTextReplyXml({ toUser: 'u', fromUser: 'ww1', createTime: 1, content });
      const parsed = parseAppMessageXml(reply);
      expect(parsed.content, JSON.stringify(content)).toBe(content);
      expect(parsed.toUserName).toBe('u');
      const msg = buildAppTextMessageXml({ corpId: 'ww1', fromUser: 'u', createTime: 1, content, msgId: '1', agentId: '2' });
      expect(parseAppMessageXml(msg).content).toBe(content);
    }
  });

  it('CRLF comes back as LF, as XML 1.0 end-of-line handling requires even inside CDATA', () => {
    const reply = buildTextReplyXml({ toUser: 'u', fromUser: 'ww1', createTime: 1, content: 'a\r\nb' });
    expect(parseAppMessageXml(reply).content).toBe('a\nb');
  });

  it('identifiers that need escaping survive, and "]]>" in them too', () => {
    const msg = buildAppTextMessageXml({ corpId: 'a]]>b', fromUser: '<u&>', createTime: 1, content: 'c', msgId: '<&>', agentId: '007' });
    expect(parseAppMessageXml(msg)).toMatchObject({ toUserName: 'a]]>b', fromUserName: '<u&>', msgId: '<&>', agentId: '007' });
  });

  it('drops characters XML cannot carry instead of producing a reply WeCom rejects', () => {
    const reply = buildTextReplyXml({ toUser: 'u', fromUser: 'ww1', createTime: 1, content: 'a\u0000b\u0007c\u001Fd\tе\n🚀\uD800' });
    expect(parseAppMessageXml(reply).content).toBe('abcd\tе\n🚀');
  });

  it('refuses a createTime that is not whole seconds', () => {
    expect(() => buildTextReplyXml({ toUser: 'u', fromUser: 'w', createTime: 1.5, content: 'x' })).toThrow(RangeError);
    expect(() => buildTextReplyXml({ toUser: 'u', fromUser: 'w', createTime: Number.NaN, content: 'x' })).toThrow(RangeError);
    expect(() => buildAppEventXml({ corpId: 'w', fromUser: 'u', createTime: -1, event: 'click', agentId: '1' })).toThrow(RangeError);
  });
});

describe('image messages', () => {
  it('reads MediaId and PicUrl of an image message as WeCom writes it', () => {
    const xml = buildAppImageMessageXml({ corpId: 'ww1', fromUser: 'lisi', createTime: 1700000000, picUrl: 'https://wework.qpic.cn/x/0', mediaId: '2-G6nrLmr5EC3MMb_-zK1dDdzmd0p7', msgId: '1234567890123456', agentId: '1000002' });
    expect(parseAppMessageXml(xml)).toMatchObject({ msgType: 'image', mediaId: '2-G6nrLmr5EC3MMb_-zK1dDdzmd0p7', picUrl: 'https://wework.qpic.cn/x/0', msgId: '1234567890123456', content: null });
  });
});
