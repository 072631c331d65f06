/** Which events the session timeline shows. Resources, replay chunks and bookkeeping events have their own views. */
import type { RumEventType } from '../sdk/schema';

export const TIMELINE_TYPES: readonly RumEventType[] = ['view', 'action', 'api', 'console', 'error', 'vital', 'long_task'];
