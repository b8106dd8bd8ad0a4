export * from './import-report';
export * from './dry-run-store';
export { derivedId, idFromName } from './import-rows';
export * from './spreadsheet-import';
export * from './workbook-export';
