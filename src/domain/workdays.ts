// China's statutory holidays and 调休 make-up working days, from the chinese-days calendar package.
import chineseDays from 'chinese-days';
import { dayjs } from './period.ts';

const MAX_SHIFT_DAYS = 31; // the longest holiday run plus margin; the calendar never needs more

/** "YYYY-MM-DD" (Shanghai). A make-up Saturday is a working day; a weekday holiday is not. */
export function isWorkingDay(date: string): boolean {
  return chineseDays.isWorkday(date);
}

/** The date itself when it is a working day, else the nearest working day before or after it. */
export function shiftToWorkingDay(date: string, direction: 'earlier' | 'later'): string {
  let d = dayjs(date);
  for (let i = 0; i < MAX_SHIFT_DAYS; i++) {
    const s = d.format('YYYY-MM-DD');
    if (isWorkingDay(s)) return s;
    d = d.add(direction === 'earlier' ? -1 : 1, 'day');
  }
  return date;
}
