# Test stand-in for OpenWrt's /lib/functions.sh: only the helpers the sstp
# handler uses, with the semantics of the real ones.

append() {
	local var="$1" value="$2" sep="${3:- }"
	eval "$var=\"\${$var:+\${$var}\${value:+\$sep}}\$value\""
}

list_contains() {
	local var="$1" str="$2" val
	eval "val=\" \${$var} \""
	[ "${val%% $str *}" != "$val" ]
}
