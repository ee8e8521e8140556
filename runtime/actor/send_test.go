package actor

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSendOrderFromOneSender(t *testing.T) {
	const n = 10_000
	k, _ := newKernel(t, Options{})
	recv := attach(t, k)
	_, err := k.Spawn("sender", func(p *Proc) (any, error) {
		for i := 0; i < n; i++ {
			k.Send(p.PID(), recv.PID(), "seq", []any{i})
		}
		return nil, nil
	}, SpawnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		m := nextMessage(t, recv)
		if m.Topic != "seq" || m.Payload[0] != i {
			t.Fatalf("message %d: got %v %v", i, m.Topic, m.Payload)
		}
	}
}

func TestSendNeverBlocks(t *testing.T) {
	k, _ := newKernel(t, Options{})
	idle := attach(t, k) // never reads
	gone, _ := k.Attach("gone", nil)
	gone.Exit(nil, nil)
	targets := []struct {
		pid  PID
		want bool
	}{
		{idle.PID(), true}, {gone.PID(), false}, {PID{Host: "nobody", Seq: 1 << 40}, false}, {PID{}, false},
	}
	done := make(chan error, 1) // buffered: the sender never waits for the test
	go func() {
		for _, tg := range targets {
			for i := 0; i < 50_000; i++ {
				if got := k.Send(PID{}, tg.pid, "t", nil); got != tg.want {
					done <- errors.New("unexpected delivery result")
					return
				}
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitLimit):
		t.Fatal("Send blocked")
	}
	if n := queues(idle).Messages.Len(); n != 50_000 {
		t.Fatalf("queued %d, want 50000", n)
	}
}

// refusing is a Mailbox that rejects every message.
type refusing struct{}

func (refusing) PushMessage(Message) bool { return false }
func (refusing) PushEvent(Event) bool     { return true }

func TestMailboxOverflowTerminates(t *testing.T) {
	cases := []struct {
		name  string
		mb    Mailbox
		sends int
	}{
		{"queue limit", nil, 11},
		{"custom mailbox", refusing{}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, logs := newKernel(t, Options{MailboxLimit: 10})
			obs := attach(t, k)
			pid, err := k.Spawn("slow", func(p *Proc) (any, error) {
				<-p.Context().Done()
				return "ignored", nil
			}, SpawnOptions{Parent: obs.PID(), Monitor: true, Mailbox: c.mb})
			if err != nil {
				t.Fatal(err)
			}
			var refused int
			for i := 0; i < c.sends; i++ {
				if !k.Send(obs.PID(), pid, "t", []any{i}) {
					refused++
				}
			}
			if refused != 1 {
				t.Fatalf("%d sends refused, want 1", refused)
			}
			ev := nextEvent(t, obs)
			if ev.From != pid || ev.Result != nil || !errors.Is(ev.Err, ErrMailboxOverflow) {
				t.Fatalf("exit event %+v", ev)
			}
			if got := logs.String(); strings.Count(got, "mailbox overflow") != 1 {
				t.Fatalf("want one overflow log line, got %q", got)
			}
		})
	}
}
