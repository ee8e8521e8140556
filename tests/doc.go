// Package tests holds black-box tests: each boots the real host on
// 127.0.0.1:0 from a registry written to a temporary directory and talks to
// it over real HTTP and SSE.
package tests
