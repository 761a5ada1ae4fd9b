// Every chat command, in the order help lists them.
import type { CommandSpec } from '../src/bot/command-spec.ts';
import { addDepartment, removeDepartment, transfer } from './assign.ts';
import { cadence } from './cadence.ts';
import { departments } from './departments.ts';
import { previewDigest, sendDigest, sendReminder } from './jobs.ts';
import { help } from './help.ts';
import { bind, makeAdmin, makeLeader, revokeRole, unbind } from './members-admin.ts';
import { myTasks } from './my-tasks.ts';
import { overview } from './overview.ts';
import { owed } from './owed.ts';
import { evidence } from './evidence.ts';
import { plans } from './plans.ts';
import { complete, report } from './report.ts';
import { search } from './search.ts';
import { taskDetail } from './task-detail.ts';
import { approve, pendingReview, reopen, sendBack } from './review.ts';
import { chase } from './chase.ts';
import { approveExtension, pendingExtensionList, refuseExtension, requestExtensionCommand } from './extension.ts';
import { leaderCharge } from './leader-charge.ts';
import { addUnit, mergeUnits, removeUnits } from './units.ts';

export const COMMANDS: readonly CommandSpec[] = [
  help, myTasks, report, complete, requestExtensionCommand, evidence, taskDetail, owed, search, departments, overview, plans,
  pendingReview, approve, sendBack, reopen, pendingExtensionList, approveExtension, refuseExtension, chase,
  transfer, addDepartment, removeDepartment, mergeUnits, removeUnits, addUnit, cadence, bind, unbind, makeAdmin, makeLeader, revokeRole, leaderCharge,
  previewDigest, sendDigest, sendReminder,
];
