// Package journey holds browser journeys: tests that drive the real forum
// in headless Chromium as people do (first run, sign-up, confirmation by
// e-mail, log in and out, language switch) and check what they would notice
// on screen. Every page a journey reaches also passes the accessibility check
// of testutil.Browser (axe-core, WCAG 2.2 AA, desktop and phone, light and
// dark). The tests skip when Chromium or axe-core is missing, unless
// CAUSERIE_TEST_BROWSER=required; .ci/browser-deps.sh installs both.
package journey
