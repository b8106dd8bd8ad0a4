export * from './alerts';
export * from './alert-projections';
export * from './alert-text';
export * from './channels';
export * from './outbound-policy';
export * from './secret-box';
