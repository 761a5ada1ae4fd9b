// Every chat command, in the order help lists them.
import type { CommandSpec } from '../src/bot/command-spec.ts';
import { help } from './help.ts';
import { myTasks } from './my-tasks.ts';
import { complete, report } from './report.ts';
import { taskDetail } from './task-detail.ts';

export const COMMANDS: readonly CommandSpec[] = [help, myTasks, report, complete, taskDetail];
