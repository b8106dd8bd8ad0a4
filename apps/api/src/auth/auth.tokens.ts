/** DI tokens of the sign-in module, all in one place. */
export const SIGN_IN_STORE = Symbol.for('planledger.SignInStore');
