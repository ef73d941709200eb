# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Buildroot package overrides for tests/buildroot/image.sh, which includes
# this file from the local.mk it writes (BR2_PACKAGE_OVERRIDE_FILE) after
# setting P2PG_SRC (Debian sources, unpacked) and P2PG_EMPTY (an empty
# directory).  Nothing is downloaded: the build machine cannot reach
# Buildroot's sites.
#
# What ends up in the image, and host-pkgconf, are built from Debian 12's
# source packages (Buildroot applies none of its own patches to an
# overridden source).
LINUX_OVERRIDE_SRCDIR = $(P2PG_SRC)/linux-source-6.1
BUSYBOX_OVERRIDE_SRCDIR = $(P2PG_SRC)/busybox
LIBZLIB_OVERRIDE_SRCDIR = $(P2PG_SRC)/zlib
ELFUTILS_OVERRIDE_SRCDIR = $(P2PG_SRC)/elfutils
LIBBPF_OVERRIDE_SRCDIR = $(P2PG_SRC)/libbpf
LIBPCAP_OVERRIDE_SRCDIR = $(P2PG_SRC)/libpcap
HOST_PKGCONF_OVERRIDE_SRCDIR = $(P2PG_SRC)/pkgconf

# Buildroot reconfigures elfutils with autoreconf for its own patches; the
# Debian tarball's configure needs no patch, and autoreconf would add
# host-autoconf, -automake, -libtool and -m4 to build.
override ELFUTILS_AUTORECONF = NO

# host-bpftool (p2pguard.mk generates the BPF skeleton with it): bpftool
# from the same Linux tree, which Debian's bpftool package is built from.
# Buildroot's recipe is for the standalone bpftool repository (src/).
HOST_BPFTOOL_OVERRIDE_SRCDIR = $(P2PG_SRC)/linux-source-6.1
HOST_BPFTOOL_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS = \
	--exclude=/Documentation --exclude=/drivers --exclude=/arch \
	--exclude=/sound --exclude=/fs --exclude=/net --exclude=/firmware
override define HOST_BPFTOOL_BUILD_CMDS
	$(HOST_MAKE_ENV) $(HOST_CONFIGURE_OPTS) $(MAKE) \
		-C $(@D)/tools/bpf/bpftool
endef
override define HOST_BPFTOOL_INSTALL_CMDS
	$(HOST_MAKE_ENV) $(HOST_CONFIGURE_OPTS) $(MAKE) \
		-C $(@D)/tools/bpf/bpftool install-bin DESTDIR="$(HOST_DIR)" prefix=
endef

# Host tools taken from the build machine (Debian packages that tests/
# buildroot/image.sh installs), not built: this Buildroot builds kmod with
# meson (host-meson, host-python3) and wants tar 1.35 where Debian 12 has
# 1.34 (for the archives it makes of VCS downloads: there are none here),
# Debian's fakeroot source is not on the mirror, libbpf and libpcap name
# host-bison and host-flex even when the build machine has them, and the
# host libraries only serve host-bpftool.  Patchelf (on by default: it
# fixes the RPATHs of the host directory) is Debian's too.
# p2pg-host-tool PKG,DIR,PATHS: PKG builds nothing and depends on nothing;
# its install links PATHS into $(HOST_DIR)/DIR.
define p2pg-host-tool
$(1)_OVERRIDE_SRCDIR = $(P2PG_EMPTY)
override $(1)_DEPENDENCIES =
override $(1)_AUTORECONF = NO
override $(1)_POST_INSTALL_HOOKS =
override $(1)_CONFIGURE_CMDS = @:
override $(1)_BUILD_CMDS = @:
override $(1)_INSTALL_CMDS = mkdir -p $$(HOST_DIR)/$(2) \
	$(foreach p,$(3),&& ln -sf $(p) $$(HOST_DIR)/$(2)/)
endef
$(eval $(call p2pg-host-tool,HOST_KMOD,sbin,/usr/sbin/depmod /usr/bin/kmod))
$(eval $(call p2pg-host-tool,HOST_FAKEROOT,bin,/usr/bin/fakeroot))
$(eval $(call p2pg-host-tool,HOST_TAR,bin,/usr/bin/tar))
$(eval $(call p2pg-host-tool,HOST_BISON,bin,/usr/bin/bison))
$(eval $(call p2pg-host-tool,HOST_FLEX,bin,/usr/bin/flex))
$(eval $(call p2pg-host-tool,HOST_PATCHELF,bin,/usr/bin/patchelf))
# libelf and zlib of libelf-dev and zlib1g-dev, in /usr.
$(eval $(call p2pg-host-tool,HOST_ELFUTILS,bin,))
$(eval $(call p2pg-host-tool,HOST_LIBZLIB,bin,))
