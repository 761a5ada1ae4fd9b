import { describe, expect, it } from 'vitest';
import { cleanFileName } from '../../src/domain/file-name.ts';

describe('cleanFileName', () => {
  it('drops bidi overrides, direction marks, zero-width and control characters, keeping the Chinese name', () => {
    expect(cleanFileName('报告\u202Excod.docx')).toBe('报告xcod.docx');
    expect(cleanFileName('\u2067照片\u2069\u200f.jpg')).toBe('照片.jpg');
    expect(cleanFileName('a\u0000b\u0085c\r\n.pdf')).toBe('abc.pdf');
    expect(cleanFileName('\ufeff佐证 材料（1）.xlsx ')).toBe('佐证 材料（1）.xlsx');
  });
});
