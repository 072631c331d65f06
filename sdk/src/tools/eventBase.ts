import type { EventBase } from '../../schema';
import { utcOffsetMinutes } from './time';

/** The fields every event carries: UTC ms, the client's UTC offset, the view. */
export const eventBase = (viewId: string, time = Date.now()): EventBase => ({ time: Math.round(time), tz: utcOffsetMinutes(), viewId });
