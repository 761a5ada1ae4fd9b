// What a reader hands on: the document's paragraphs and tables in order. Tables are grids
// of cell texts with merged cells already spread over every row and column they cover.

export type Block = { kind: 'paragraph'; text: string } | { kind: 'table'; rows: string[][]; name?: string };
