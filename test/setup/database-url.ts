/** Where the PostgreSQL tests go when nothing else is said (the role .ci/postgres.sh creates). */
export const DEFAULT_TEST_DATABASE_URL = 'postgres://groundtruth:groundtruth@127.0.0.1:5432/groundtruth_test';
