/** DI token for the Alerts application service. */
export const ALERTS = Symbol.for('planledger.Alerts');
