// Package route turns registry routes (router prefix + endpoint path, with
// `{name}`, `:name` and `{name...}` segments) into net/http ServeMux
// patterns. Matching, 404, 405 (with Allow) and HEAD-for-GET are the standard
// library's; this package only translates patterns and reports conflicts as
// errors instead of panics. A Table is built by one goroutine and is then
// read-only (safe for concurrent ServeHTTP).
package route
