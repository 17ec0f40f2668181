# SPDX-License-Identifier: BSD-3-Clause
# Man pages from POD, shared by every directory that has pages:
#
#   include $(top_srcdir)/docs/pod.mk
#   man_MANS += nvmeof-target.8          (built from nvmeof-target.pod)
#   EXTRA_DIST += nvmeof-target.pod
#
# The section is the suffix of the page's name (1, 3, 5 or 8).  Every page is
# linted first (docs/podcheck.sh: podchecker if installed, required
# sections, no trailing whitespace) so that a broken page fails the build.

man_MANS =
SUFFIXES = .pod .1 .3 .5 .8
CLEANFILES = $(man_MANS)
EXTRA_DIST =

POD_CHECK = $(SHELL) $(top_srcdir)/docs/podcheck.sh
POD2MAN_FLAGS = --center="nvmeof" --release="nvmeof $(VERSION)" --utf8

pod_verbose = $(pod_verbose_@AM_V@)
pod_verbose_ = $(pod_verbose_@AM_DEFAULT_V@)
pod_verbose_0 = @echo "  POD2MAN " $@;

# One recipe for every section: the section is the target's suffix.
POD_RULE = \
	PODCHECKER='$(PODCHECKER)' $(POD_CHECK) $< && \
	$(POD2MAN) $(POD2MAN_FLAGS) --section=$${sec} \
	  --name="`basename $@ .$${sec} | tr a-z A-Z`" $< > $@-t && \
	mv $@-t $@

.pod.1:
	$(pod_verbose)sec=1; $(POD_RULE)
.pod.3:
	$(pod_verbose)sec=3; $(POD_RULE)
.pod.5:
	$(pod_verbose)sec=5; $(POD_RULE)
.pod.8:
	$(pod_verbose)sec=8; $(POD_RULE)
