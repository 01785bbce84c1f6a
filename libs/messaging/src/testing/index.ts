export { startEmbeddedPostgres, startEmulator, createDatabase, freePort, type EmbeddedPostgres, type Emulator } from './embedded-stack';
export { isolatedEnvironment, STACK_ENV } from './test-environment';
export { waitFor } from './wait-for';
export { TcpProxy } from './tcp-proxy';
export { importEsm } from './import-esm';
export { HandlerSpy } from './handler-spy';
export { readDeadLetters, type DeadLetter } from './dead-letters';
export { ProcessManagerTestBed, FakeClock, type PublishedByStep, type FakePendingTimeout, type InstanceView } from './process-manager-test-bed';
