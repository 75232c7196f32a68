// Package checke2e holds the end-to-end tests of lambda-doctor check against
// moto (build tag integration).
package checke2e
