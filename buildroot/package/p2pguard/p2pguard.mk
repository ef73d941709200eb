################################################################################
#
# p2pguard
#
################################################################################

# The sources are the repository this br2-external tree lives in (when the
# package directory is copied into another tree, set P2PGUARD_SITE or
# P2PGUARD_OVERRIDE_SRCDIR there).  Nothing is downloaded, so there is no
# p2pguard.hash: Buildroot checks no hash for the local site method.
P2PGUARD_VERSION = custom
P2PGUARD_SITE = $(realpath $(BR2_EXTERNAL_P2PGUARD_PATH)/..)
P2PGUARD_SITE_METHOD = local
P2PGUARD_LICENSE = GPL-2.0 or BSD-2-Clause
P2PGUARD_LICENSE_FILES = COPYING
P2PGUARD_DEPENDENCIES = host-bpftool host-pkgconf libbpf libpcap zlib

# Do not copy a native build/ of the source tree: its objects look up to
# date to make and would be linked into the target binaries.
P2PGUARD_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS = --exclude=/build

ifeq ($(BR2_ENDIAN),"BIG")
P2PGUARD_BPF_TARGET = bpfeb
else
P2PGUARD_BPF_TARGET = bpfel
endif

# clang.br_real, not the clang toolchain wrapper: the wrapper adds the
# target CPU's flags and sysroot, which mean nothing to -target bpf.
ifeq ($(BR2_PACKAGE_P2PGUARD_BPF_CLANG_HOST),y)
P2PGUARD_DEPENDENCIES += host-clang
P2PGUARD_CLANG = $(HOST_DIR)/bin/clang.br_real
else
P2PGUARD_CLANG = $(call qstrip,$(BR2_PACKAGE_P2PGUARD_CLANG))
endif

# The BPF object is built against the target's UAPI headers and libbpf's
# bpf_helpers.h in staging, never the build machine's.  libbpf installs
# newer linux/bpf.h into usr/include/bpf when the toolchain headers are
# older (and points libbpf.pc there, hence the --cflags for the C code).
# TARGET_CFLAGS carries TARGET_CPPFLAGS: CPPFLAGS itself is left to the
# Makefile, which adds its include paths to it.
P2PGUARD_MAKE_OPTS = \
	CROSS_COMPILE="$(TARGET_CROSS)" \
	CFLAGS="$(TARGET_CFLAGS) \
		$$($(PKG_CONFIG_HOST_BINARY) --cflags libbpf)" \
	LDFLAGS="$(TARGET_LDFLAGS)" \
	PKG_CONFIG="$(PKG_CONFIG_HOST_BINARY)" \
	CLANG="$(P2PGUARD_CLANG)" \
	BPFTOOL="$(HOST_DIR)/sbin/bpftool" \
	BPF_TARGET=$(P2PGUARD_BPF_TARGET) \
	BPF_SYS_INCLUDES="-nostdinc \
		-isystem $$($(P2PGUARD_CLANG) -print-resource-dir)/include \
		-I$(STAGING_DIR)/usr/include/bpf -I$(STAGING_DIR)/usr/include"

# Fail early, and clearly, when the chosen clang has no BPF backend.
define P2PGUARD_CHECK_CLANG
	@if ! echo 'int x;' | $(P2PGUARD_CLANG) -target $(P2PGUARD_BPF_TARGET) \
		-x c -c -o /dev/null - >/dev/null 2>&1; then \
		echo "p2pguard: $(P2PGUARD_CLANG) cannot compile for $(P2PGUARD_BPF_TARGET):" \
			"see BR2_PACKAGE_P2PGUARD_CLANG" >&2; \
		exit 1; \
	fi
endef
P2PGUARD_PRE_BUILD_HOOKS += P2PGUARD_CHECK_CLANG

# Only the programs: the Makefile's default target also builds the tests.
define P2PGUARD_BUILD_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(P2PGUARD_MAKE_OPTS) \
		build/p2pguardd build/p2pguardctl
endef

# The BPF object is embedded in p2pguardd (skeleton), so no BPF-machine ELF
# file is installed and P2PGUARD_BIN_ARCH_EXCLUDE is not needed.  Man pages
# are left out: Buildroot removes /usr/share/man from the target anyway.
define P2PGUARD_INSTALL_TARGET_CMDS
	$(TARGET_MAKE_ENV) $(MAKE) -C $(@D) $(P2PGUARD_MAKE_OPTS) \
		DESTDIR=$(TARGET_DIR) PREFIX=/usr install-bin install-conf
endef

define P2PGUARD_INSTALL_INIT_SYSV
	$(INSTALL) -D -m 0755 $(P2PGUARD_PKGDIR)/S30p2pguardd \
		$(TARGET_DIR)/etc/init.d/S30p2pguardd
endef

# The status pages (webui/): what both share in /usr/share/p2pguard/webui,
# each page where its web UI looks (haserl runs them).
ifneq ($(BR2_PACKAGE_P2PGUARD_WEBUI_OPENIPC)$(BR2_PACKAGE_P2PGUARD_WEBUI_THINGINO),)
P2PGUARD_DEPENDENCIES += haserl
define P2PGUARD_INSTALL_WEBUI
	$(INSTALL) -D -m 0644 $(@D)/webui/p2pguard-webui.sh \
		$(TARGET_DIR)/usr/share/p2pguard/webui/p2pguard-webui.sh
	$(INSTALL) -D -m 0644 $(@D)/webui/p2pguard-webui.awk \
		$(TARGET_DIR)/usr/share/p2pguard/webui/p2pguard-webui.awk
endef
P2PGUARD_POST_INSTALL_TARGET_HOOKS += P2PGUARD_INSTALL_WEBUI
endif

ifeq ($(BR2_PACKAGE_P2PGUARD_WEBUI_OPENIPC),y)
define P2PGUARD_INSTALL_WEBUI_OPENIPC
	$(INSTALL) -D -m 0755 $(@D)/webui/openipc/plugin-p2pguard.cgi \
		$(TARGET_DIR)/var/www/cgi-bin/plugin-p2pguard.cgi
endef
P2PGUARD_POST_INSTALL_TARGET_HOOKS += P2PGUARD_INSTALL_WEBUI_OPENIPC
endif

ifeq ($(BR2_PACKAGE_P2PGUARD_WEBUI_THINGINO),y)
define P2PGUARD_INSTALL_WEBUI_THINGINO
	$(INSTALL) -D -m 0755 $(@D)/webui/thingino/p2pguard.cgi \
		$(TARGET_DIR)/var/www/x/p2pguard.cgi
	$(INSTALL) -D -m 0644 $(@D)/webui/thingino/p2pguard.webui.json \
		$(TARGET_DIR)/var/www/a/plugins/p2pguard.webui.json
endef
P2PGUARD_POST_INSTALL_TARGET_HOOKS += P2PGUARD_INSTALL_WEBUI_THINGINO
endif

# One list of kernel options: linux.fragment (and linux-btf.fragment),
# also usable for kernels built outside Buildroot.
ifeq ($(BR2_PACKAGE_P2PGUARD_KERNEL_CONFIG),y)
P2PGUARD_KCONFIG_FRAGMENTS = $(P2PGUARD_PKGDIR)/linux.fragment
ifeq ($(BR2_PACKAGE_P2PGUARD_KERNEL_BTF),y)
P2PGUARD_KCONFIG_FRAGMENTS += $(P2PGUARD_PKGDIR)/linux-btf.fragment
endif
ifeq ($(BR2_PACKAGE_P2PGUARD_KERNEL_MODULE),y)
P2PGUARD_KCONFIG_FRAGMENTS += $(P2PGUARD_PKGDIR)/linux-module.fragment
endif
P2PGUARD_KCONFIG_ENABLE = $(shell sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=y$$/\1/p' \
	$(P2PGUARD_KCONFIG_FRAGMENTS))
P2PGUARD_KCONFIG_DISABLE = $(shell sed -n \
	's/^# \(CONFIG_[A-Z0-9_]*\) is not set$$/\1/p' \
	$(P2PGUARD_KCONFIG_FRAGMENTS))

define P2PGUARD_LINUX_CONFIG_FIXUPS
	$(foreach opt,$(P2PGUARD_KCONFIG_ENABLE),
		$(call KCONFIG_ENABLE_OPT,$(opt))
	)
	$(foreach opt,$(P2PGUARD_KCONFIG_DISABLE),
		$(call KCONFIG_DISABLE_OPT,$(opt))
	)
endef
endif

# p2pguard.ko, from kmod/ (its Kbuild finds the shared headers in common/);
# installed under /lib/modules/<version>/extra, where p2pguardd looks.
ifeq ($(BR2_PACKAGE_P2PGUARD_KERNEL_MODULE),y)
P2PGUARD_MODULE_SUBDIRS = kmod
$(eval $(kernel-module))
endif

$(eval $(generic-package))
