// Package openwrt holds sstpgo's OpenWrt integration: the netifd protocol
// handler and its up script (files/), the LuCI protocol view (luci/), the
// SDK feed Makefiles (feed/) and the package build glue (packages.mk).
// The Go code here is only the tests that run those files under busybox ash
// against stand-ins for netifd's shell API, under node, and against the
// built .ipk/.apk packages.
package openwrt
