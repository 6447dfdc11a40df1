package jobs

// Backoff exposes the retry delays to the tests.
var Backoff = backoff
