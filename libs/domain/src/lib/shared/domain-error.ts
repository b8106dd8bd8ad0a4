/**
 * A business rule refused a command. `code` is stable (clients and the API's 422 body rely on it);
 * the message says what to change.
 */
export class DomainRuleViolation extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DomainRuleViolation';
  }
}

export function refuse(code: string, message: string): never {
  throw new DomainRuleViolation(code, message);
}

/** Who issues a command and when: time and identity come in, the domain never reads a clock. */
export interface CommandMetadata {
  actor: string;
  /** ISO 8601 date-time of the command. */
  now: string;
}
