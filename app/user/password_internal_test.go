package user

import (
	"testing"
	"time"
)

// No more hashes run at once than Go has cores: with every slot taken, a
// login waits, and goes on as soon as one frees.
func TestHashesWaitTheirTurn(t *testing.T) {
	h, err := NewHasher("m=1024,t=1,p=1")
	if err != nil {
		t.Fatal(err)
	}
	hash, err := h.Hash("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	for range cap(hashing) {
		hashing <- struct{}{}
	}
	done := make(chan bool, 1)
	go func() {
		ok, _ := CheckPassword(hash, "correct horse")
		done <- ok
	}()
	select {
	case <-done:
		t.Fatalf("a password was checked while %d hashes ran (every slot taken)", cap(hashing))
	case <-time.After(200 * time.Millisecond):
	}
	<-hashing
	select {
	case ok := <-done:
		if !ok {
			t.Error("the password did not match once its turn came")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a slot freed, yet the password was still not checked")
	}
	for range cap(hashing) - 1 {
		<-hashing
	}
}
