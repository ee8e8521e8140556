package actor

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

func TestShutdownTenThousand(t *testing.T) {
	const n = 10_000
	base := runtime.NumGoroutine()
	k, _ := newKernel(t, Options{})
	for i := 0; i < n; i++ {
		if _, err := k.Spawn("p", waitCtx, SpawnOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// An attached process whose owner exits when its context is cancelled.
	handler, _ := k.Attach("handler", nil)
	go func() {
		<-handler.Context().Done()
		handler.Exit(nil, context.Cause(handler.Context()))
	}()
	if k.Count() != n+1 {
		t.Fatalf("count %d", k.Count())
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := k.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if k.Count() != 0 {
		t.Fatalf("count after shutdown %d", k.Count())
	}
	if !errors.Is(context.Cause(handler.Context()), ErrShutdown) {
		t.Fatalf("cause %v", context.Cause(handler.Context()))
	}
	if _, err := k.Spawn("late", waitCtx, SpawnOptions{}); !errors.Is(err, ErrShutdown) {
		t.Fatalf("spawn after shutdown: %v", err)
	}
	if _, err := k.Attach("late", nil); !errors.Is(err, ErrShutdown) {
		t.Fatalf("attach after shutdown: %v", err)
	}
	settleGoroutines(t, base, 2)
}

func TestShutdownWaitsForAttached(t *testing.T) {
	k, _ := newKernel(t, Options{})
	p, _ := k.Attach("stuck", nil)
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := k.Shutdown(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("shutdown with a live attached process: %v", err)
	}
	p.Exit(nil, nil)
	ctx, cancel2 := context.WithTimeout(context.Background(), waitLimit)
	defer cancel2()
	if err := k.Shutdown(ctx); err != nil {
		t.Fatalf("second shutdown: %v", err)
	}
}

func TestShutdownRacesSpawn(t *testing.T) {
	base := runtime.NumGoroutine()
	k, _ := newKernel(t, Options{})
	stop := make(chan struct{})
	done := make(chan int, 1) // buffered: the spawner reports without waiting
	go func() {
		spawned := 0
		for {
			select {
			case <-stop:
				done <- spawned
				return
			default:
			}
			if _, err := k.Spawn("p", waitCtx, SpawnOptions{}); err == nil {
				spawned++
			}
		}
	}()
	waitUntil(t, "some processes", func() bool { return k.Count() > 100 })
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := k.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	close(stop)
	select {
	case <-done:
	case <-time.After(waitLimit):
		t.Fatal("spawner stuck")
	}
	if k.Count() != 0 || k.live.Load() != 0 {
		t.Fatalf("count %d live %d", k.Count(), k.live.Load())
	}
	settleGoroutines(t, base, 2)
}
