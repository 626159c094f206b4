# -*- coding: utf-8 -*-
"""HTTP pieces the controller-side plugins share (the inventory and the connection plugin)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.six.moves.urllib.request import HTTPRedirectHandler


class NoRedirect(HTTPRedirectHandler):
    """The exporter never redirects: a 3xx is an error, and the token goes nowhere else."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None
