import { HttpException, Inject, Injectable } from '@nestjs/common';
import type { PlanLedgerConfig } from '@planledger/config';
import { PLANLEDGER_CONFIG } from '@planledger/runtime';

/**
 * Open event streams (`/events/stream`, `/me/alerts/stream`), counted per principal and in total
 * in this process: each holds a connection and a loop, so one caller cannot take them all.
 */
@Injectable()
export class StreamSlots {
  private readonly byPrincipal = new Map<string, number>();
  private total = 0;

  constructor(@Inject(PLANLEDGER_CONFIG) private readonly config: PlanLedgerConfig) {}

  /** Takes a slot for `subject`, or refuses with 429; the function given back frees it (once). */
  take(subject: string): () => void {
    const mine = this.byPrincipal.get(subject) ?? 0;
    if (mine >= this.config.STREAMS_PER_PRINCIPAL)
      throw new HttpException(
        {
          code: 'TOO_MANY_STREAMS',
          message: `${subject} has ${mine} event streams open, the most one caller may (STREAMS_PER_PRINCIPAL): close one first`,
        },
        429,
      );
    if (this.total >= this.config.STREAMS_TOTAL)
      throw new HttpException(
        { code: 'TOO_MANY_STREAMS', message: `this API holds ${this.total} event streams, its most (STREAMS_TOTAL): try again later` },
        429,
      );
    this.byPrincipal.set(subject, mine + 1);
    this.total += 1;
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      this.total -= 1;
      const left = (this.byPrincipal.get(subject) ?? 1) - 1;
      if (left > 0) this.byPrincipal.set(subject, left);
      else this.byPrincipal.delete(subject);
    };
  }
}
