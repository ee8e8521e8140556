package relay

import (
	"hash/maphash"
	"sync/atomic"
)

// frameCache holds the encoded frames of shared payloads (a broadcast
// loop sends one payload slice to every stream; see actor.Message.Shared),
// so that the payload is encoded once instead of once per stream. Entries
// are immutable; slots are replaced, never edited, so readers need no
// lock. An entry keeps its payload alive, so a key address cannot be
// reused by another payload while it is cached.
type frameCache struct {
	seed  maphash.Seed
	slots [frameSlots]atomic.Pointer[frameEntry]
}

// frameSlots bounds the cache: enough for the events of a few bursts in
// flight at once, small enough to be noise in memory.
const frameSlots = 256

type frameEntry struct {
	key   *any
	topic string
	frame []byte
}

func newFrameCache() *frameCache { return &frameCache{seed: maphash.MakeSeed()} }

func (c *frameCache) slot(key *any) *atomic.Pointer[frameEntry] {
	return &c.slots[maphash.Comparable(c.seed, key)%frameSlots]
}

// get returns the frame of the payload at key under topic, or nil.
func (c *frameCache) get(key *any, topic string) []byte {
	if e := c.slot(key).Load(); e != nil && e.key == key && e.topic == topic {
		return e.frame
	}
	return nil
}

// put stores a copy of frame.
func (c *frameCache) put(key *any, topic string, frame []byte) {
	c.slot(key).Store(&frameEntry{key: key, topic: topic, frame: append([]byte(nil), frame...)})
}
