// Package httpx is the HTTP client of the aignostics tool: timeouts that bound
// connecting and every idle read but never a whole body, retries with
// backoff, our own proxy function, the CA pool, the user agent, the bearer
// token sent only to the API's origin, APIError, and a redacting debug log.
package httpx
