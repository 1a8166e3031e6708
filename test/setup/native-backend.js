// jest `unit-native` project: every spec that calls useTestBackend() runs on tfjs-node.
process.env.ERAN_TEST_BACKEND = 'node';
