/** Where the import jobs are kept (ImportJobStore). */
export const IMPORT_JOB_STORE = Symbol('IMPORT_JOB_STORE');
