package tests

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// The hello-world benchmarks serve the same JSON body ({"message":"hello"})
// from a Lua handler and from a plain net/http handler, over real loopback
// HTTP with keep-alive clients. Compare their req/s in the same run:
//
//	go test -run '^$' -bench 'Hello' -benchtime 5s -count 3 ./tests/
const helloBody = `{"message":"hello"}`

func BenchmarkHelloLua(b *testing.B) {
	h := benchHost(b, helloFiles())
	benchGet(b, "http://"+h.Addr("app:gateway")+"/hello")
}

// helloFiles is the hello-world app: GET /hello answers helloBody from Lua.
func helloFiles() map[string]string {
	return map[string]string{
		"registry.yaml": header + handlerEntries("hello", "GET", "/hello", "hello.lua", "http"),
		"hello.lua": `local http = require("http")
return {handler = function()
  http.response():write_json({message = "hello"})
end}`,
	}
}

func BenchmarkHelloGo(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, helloBody)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	benchGet(b, "http://"+ln.Addr().String()+"/hello")
}

// benchGet issues GETs from parallel keep-alive clients and reports req/s.
func benchGet(b *testing.B, url string) {
	tr := &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Get(url)
			if err != nil {
				b.Error(err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != helloBody {
				b.Errorf("body %q", body)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
