package ifup

import (
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// recvBufLen bounds one netlink datagram; dumps are split by the kernel into
// datagrams of at most 32 KiB (NLMSG_GOODSIZE grows to that), so a larger
// reply is reported as errTruncated instead of being silently cut.
const recvBufLen = 32 << 10

var nlSeq atomic.Uint32

// rtnl sends one request on a fresh NETLINK_ROUTE socket (in the network
// namespace of the calling thread) and reads the answer until the ACK,
// NLMSG_DONE or an error. fn, if not nil, sees every other message of the
// answer; its Data is only valid during the call.
func rtnl(build func(b []byte, seq uint32) []byte, fn func(m nlMessage) error) error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return err
	}
	// Best effort: a readable reason with the errno, and no echo of our request.
	_ = unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_EXT_ACK, 1)
	_ = unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_CAP_ACK, 1)
	// The kernel always answers; the timeout only guards against a wedged rtnl.
	tv := unix.Timeval{Sec: 10}
	_ = unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return err
	}
	port := sa.(*unix.SockaddrNetlink).Pid
	seq := nlSeq.Add(1)
	req := build(make([]byte, 0, 128), seq)
	if err := unix.Sendto(fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return err
	}
	return readAnswer(fd, port, seq, fn)
}

func readAnswer(fd int, port, seq uint32, fn func(m nlMessage) error) error {
	buf := make([]byte, recvBufLen)
	for {
		n, _, flags, from, err := unix.Recvmsg(fd, buf, nil, 0)
		if err == unix.EINTR {
			continue // SO_RCVTIMEO makes recvmsg non-restartable (signal(7))
		}
		if err != nil {
			return err
		}
		if flags&unix.MSG_TRUNC != 0 {
			return errTruncated
		}
		if sa, ok := from.(*unix.SockaddrNetlink); !ok || sa.Pid != 0 {
			continue // not from the kernel
		}
		done, err := dispatch(buf[:n], port, seq, fn)
		if done || err != nil {
			return err
		}
	}
}

// linkByName returns the index of the named interface (RTM_GETLINK).
func linkByName(name string) (int, error) {
	if name == "" || checkName(name) != nil {
		return 0, errBadName
	}
	lm, err := getLink(0, name)
	return lm.Index, err
}

// getLink asks for one link by index, or by name when index is 0.
func getLink(index int, name string) (linkMsg, error) {
	var lm linkMsg
	found := false
	err := rtnl(func(b []byte, seq uint32) []byte {
		return appendLinkMsg(b, rtmGetLink, seq, index, name, 0, 0, 0)
	}, func(m nlMessage) error {
		if m.Type != rtmNewLink {
			return nil
		}
		var err error
		lm, err = parseLink(m.Data)
		found = err == nil
		return err
	})
	if err == nil && !found {
		err = errNoReply
	}
	return lm, err
}
