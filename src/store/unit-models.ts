// The history of admins' changes to the set of units (责任单位) a plan's collective tasks bind: a unit added to a
// plan, a unit removed, a misspelled unit merged into the right one. Append-only, like every history here; the
// current set is derived from it (plan-units.ts), never stored as a counter or a list that is rewritten.
import { Schema, type Connection, type Types } from 'mongoose';

export const UNIT_CHANGE_KINDS = ['add', 'remove', 'merge'] as const;
export type UnitChangeKind = (typeof UNIT_CHANGE_KINDS)[number];

const unitChangeSchema = new Schema(
  {
    at: { type: Date, required: true },
    actor: { type: String, required: true },
    kind: { type: String, enum: UNIT_CHANGE_KINDS, required: true },
    unit: { type: String, required: true },
    /** merge: the unit it now counts as. */
    into: { type: String, default: null },
    /** add: the plan it joins. null: every plan (merge and remove are about the name, whatever plan wrote it). */
    planId: { type: Schema.Types.ObjectId, default: null },
    reason: { type: String, default: '' },
  },
  { collection: 'unit_changes', versionKey: false },
);

export interface UnitChangeDoc {
  _id: Types.ObjectId;
  at: Date;
  actor: string;
  kind: UnitChangeKind;
  unit: string;
  into: string | null;
  planId: Types.ObjectId | null;
  reason: string;
}

export function createUnitModels(conn: Connection) {
  return { UnitChange: conn.model<UnitChangeDoc>('UnitChange', unitChangeSchema) };
}
