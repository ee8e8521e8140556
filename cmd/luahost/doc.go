// Command luahost runs a web application written in Lua, described by a
// registry file.
//
//	luahost run [--watch] [--log-level L] [--log-format text|json] [REGISTRY]
//	luahost check REGISTRY
//	luahost version
//
// With no arguments it runs ./registry.yaml. SIGINT/SIGTERM shut down
// gracefully; a second signal exits at once.
package main
