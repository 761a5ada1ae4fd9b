// The template cards' collections (see cards.ts for what they hold and why), registered with every other model.
import { Schema, type Connection } from 'mongoose';

export type CardKind = 'report' | 'review' | 'extension';
export type CardButtonAction = 'p30' | 'p60' | 'p90' | 'blocked' | 'done' | 'approve' | 'return' | 'extend_ok' | 'extend_no';

export interface CardItem {
  planId: string;
  /** The task's code in its plan, and the label commands use (plan-qualified when several plans run). */
  code: string;
  label: string;
  title: string;
  department: string;
  /** The unit's stage and when it began, when the card went out: a tap on a changed item records nothing. */
  stage: string;
  sinceMs: number | null;
  /** Write the department into the command (the recipient has several). */
  showDepartment: boolean;
  /** For review cards: when 完成 came in and the 佐证 count. */
  detail?: string;
  /** For 延期 cards: the request the buttons decide (a tap decides this one only), as the notice shows it. */
  extension?: { requestId: string; from: string; to: string; reason: string; who: string; when: string };
}

export interface CardDoc {
  _id: string; // the card's task_id
  userid: string;
  kind: CardKind;
  /** What sent it: reminder, deadline-warning, review-notice, extension-request. */
  source: string;
  heading: string;
  items: CardItem[];
  buttons: Array<{ key: string; action: CardButtonAction; item: number | null }>;
  /** For a card with a choice of items: the select's question_key (option ids are i0, i1 … by item). */
  questionKey: string | null;
  link: string | null;
  createdAt: Date;
}

export interface CardTapDoc {
  _id: string; // `${taskId}|${item}`
  taskId: string;
  item: number;
  userid: string;
  at: Date;
  /** What was recorded, as the card says it: "推进中 60%", "审核通过". */
  outcome: string;
}

const cardSchema = new Schema<CardDoc>(
  {
    _id: { type: String, required: true },
    userid: { type: String, required: true },
    kind: { type: String, required: true },
    source: { type: String, required: true },
    heading: { type: String, required: true },
    items: { type: Schema.Types.Mixed, required: true },
    buttons: { type: Schema.Types.Mixed, required: true },
    questionKey: { type: String, default: null },
    link: { type: String, default: null },
    createdAt: { type: Date, required: true },
  },
  { collection: 'template_cards', versionKey: false },
);
cardSchema.index({ createdAt: 1 });

const cardTapSchema = new Schema<CardTapDoc>(
  {
    _id: { type: String, required: true },
    taskId: { type: String, required: true },
    item: { type: Number, required: true },
    userid: { type: String, required: true },
    at: { type: Date, required: true },
    outcome: { type: String, required: true },
  },
  { collection: 'card_taps', versionKey: false },
);
cardTapSchema.index({ taskId: 1 });

export function createCardModels(conn: Connection) {
  return {
    TemplateCard: conn.model<CardDoc>('TemplateCard', cardSchema),
    CardTap: conn.model<CardTapDoc>('CardTap', cardTapSchema),
  };
}

