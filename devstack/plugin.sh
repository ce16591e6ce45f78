#!/bin/bash
# plugin.sh - DevStack plugin for FLOCX: the market, auction and provider
# services beside Ironic.

# Save trace setting
_XTRACE_FLOCX_PLUGIN=$(set +o | grep xtrace)
set -o xtrace

# shellcheck source=devstack/lib/flocx
source "$DEST/flocx/devstack/lib/flocx"

if is_service_enabled flocx-market-api flocx-market-manager \
        flocx-auction-api flocx-auction-engine \
        flocx-provider-api flocx-provider-manager; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing FLOCX"
        install_flocx
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring FLOCX"
        configure_flocx
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Initializing and starting FLOCX"
        init_flocx
        start_flocx
    fi

    if [[ "$1" == "unstack" ]]; then
        stop_flocx
        cleanup_flocx
    fi

    if [[ "$1" == "clean" ]]; then
        cleanup_flocx
    fi
fi

# Restore xtrace
$_XTRACE_FLOCX_PLUGIN
