import { DomainRuleViolation } from '../shared/domain-error';

/**
 * given(events).when(command).then(events) over a decider, as the business says it:
 * `spec([opened]).when(close).then([closed])` or `.thenRefuses('PROJECT_CLOSED')`.
 */
export function deciderSpec<State, Event, Command, Context = undefined>(decider: {
  initialState: State;
  evolve: (state: State, event: Event) => State;
  decide: (command: Command, state: State, context: Context) => Event[];
}) {
  return (given: Event[] = []) => ({
    when: (command: Command, context?: Context) => {
      const state = given.reduce(decider.evolve, decider.initialState);
      const run = () => decider.decide(command, state, context as Context);
      return {
        then: (expected: Event[]) => expect(run()).toEqual(expected),
        thenRefuses: (code: string, message?: RegExp) => {
          let error: unknown;
          try {
            run();
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(DomainRuleViolation);
          expect((error as DomainRuleViolation).code).toBe(code);
          if (message) expect((error as DomainRuleViolation).message).toMatch(message);
        },
      };
    },
  });
}
