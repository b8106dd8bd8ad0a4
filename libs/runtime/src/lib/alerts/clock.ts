/** The time the worker's jobs judge by; tests inject their own to let days pass. */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol.for('planledger.Clock');
export const systemClock: Clock = { now: () => new Date() };
