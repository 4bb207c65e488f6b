// Generated from the gateway's OpenAPI document by scripts/gen-api.mjs: do not edit.
// Regenerate with `npm run gen:api` after changing the API.

export interface paths {
    "/api/admin/integrations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every integration: e-mail accounts and folders (last sync, counts on the server and
         *     stored, gaps, last error), WhatsApp (configured, last webhook), the PBX (connected, last
         *     event, last error), Nextcloud (reachable now) and the queues with their failed work.
         */
        get: operations["admin_integrations"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/jobs/{kind}/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Put a failed job (`inbound` webhook body or `attachment`) back in its queue, with a fresh
         *     count of attempts; its worker takes it at once.
         */
        post: operations["admin_retry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every local user, ordered by name. */
        get: operations["admin_list"];
        put?: never;
        /** Create a local user. */
        post: operations["admin_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/users/{username}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One local user. */
        get: operations["admin_get"];
        /**
         * Change a user: permissions, disabled, display name, extension, signature (absent fields
         *     stay, `null` clears a text). Disabling a user or changing its permissions ends its
         *     sessions at once. Administrators cannot disable themselves or take `crm:admin` from
         *     themselves (422), and the last enabled administrator cannot be disabled or lose
         *     `crm:admin` (409 `last_admin`).
         */
        put: operations["admin_update"];
        post?: never;
        /**
         * Delete a user; its tokens stop working. Not yourself (422), not the last enabled
         *     administrator (409 `last_admin`).
         */
        delete: operations["admin_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/users/{username}/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Set a user's password; this ends the user's sessions. */
        post: operations["admin_set_password"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Log in with a local user's name and password. Attempts are limited per client address and
         *     per user name (429 with `Retry-After`); when every password check is taken, 503 with
         *     `Retry-After`. Every outcome is logged with the user name and the client address.
         */
        post: operations["auth_login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Who the token names: the user's name, display name, permissions, PBX extension and e-mail
         *     signature (the console decides what to show from it). A token naming no local user (the
         *     existing console's) gets its name and permissions and no profile.
         */
        get: operations["auth_me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/calls/originate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ring an extension (the caller's own when none is given), then dial a number from it.
         *     Answers with the PBX's response to the `Originate` action. A caller without an extension
         *     who gives none gets 422 on `extension`.
         */
        post: operations["calls_originate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/comms": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A customer's comms entries, newest first. */
        get: operations["comms_list"];
        put?: never;
        /**
         * Log an entry. Without `customer_id`, the `sender` is matched to a customer's contact; if
         *     nobody has it, the entry goes to the unassigned inbox. An entry with the
         *     `(type, ext_message_id)` of a stored one is not stored again: the answer is then 200
         *     with the stored entry.
         */
        post: operations["comms_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/comms/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One comms entry. */
        get: operations["comms_get"];
        /** Change the subject, body or time of an entry. */
        put: operations["comms_update"];
        post?: never;
        /** Delete an entry. */
        delete: operations["comms_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/comms/{id}/thread": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The conversation an entry belongs to, oldest first: for an e-mail every e-mail of its
         *     thread (replies and forwards the mail channel linked by Message-ID), for anything else the
         *     entry alone.
         */
        get: operations["comms_thread"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/comms/{id}/ticket": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A ticket from a comms entry (a missed call, a message, an e-mail) for the entry's
         *     customer; the entry is linked and the activity says so. The subject defaults to the
         *     entry's.
         */
        post: operations["tickets_from_entry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/comms/missed-calls": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Missed calls (inbound, unanswered) of every customer and of unknown numbers, newest first:
         *     whom to call back.
         */
        get: operations["comms_missed_calls"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/comms/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search comms entries. Up to 500 hits are listed newest first with an exact total;
         *     broader searches in the order the entries were stored, newest first, with a lower bound.
         */
        get: operations["comms_search"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/customers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List or search customers. */
        get: operations["customers_list"];
        put?: never;
        /** Create a customer. Phone and WhatsApp numbers get their E.164 form. */
        post: operations["customers_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/customers/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One customer. */
        get: operations["customers_get"];
        /** Change the given fields of a customer. */
        put: operations["customers_update"];
        post?: never;
        /** Delete a customer who has no orders, comms entries or media records. */
        delete: operations["customers_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/customers/{id}/media": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A customer's media: the files in its `nextcloud_folder` (and in that folder's `Sent
         *     Media`, `Received Media` and `Internal` subfolders) merged with its media records, one item
         *     per path, each marked with where it was found. When the folder cannot be read (Nextcloud
         *     not configured or down, no folder), the records alone, with `folder_read: false`.
         */
        get: operations["customers_customer_media"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/customers/{id}/merge": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Merge the customer `duplicate_id` into this one: its contacts, notes, tags and owned items
         *     join this customer's, its orders, comms entries, media records, tickets and leads move here,
         *     and it is deleted; the merge is remembered with the duplicate's whole record. `dry_run`
         *     says what would happen and writes nothing. Merging the same duplicate again answers the
         *     first merge (`already_merged`).
         */
        post: operations["customers_merge_into"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/customers/{id}/merges": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The customers merged into this one, newest first, each with the duplicate's whole record as
         *     it was, who merged it and what moved.
         */
        get: operations["customers_history"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/customers/{id}/notes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Add a note to a customer, signed by the caller. */
        post: operations["customers_add_note"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/customers/{id}/tickets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The customer's tickets: with `open=true` all those neither resolved nor closed, else a
         *     page filtered like `GET /tickets`.
         */
        get: operations["tickets_for_customer"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/customers/{id}/timeline": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Everything that happened with a customer, newest first: comms entries, media records,
         *     order creations and status changes, tickets created and moved, visits, notes.
         */
        get: operations["customers_timeline"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/customers/by-contact": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The customer who owns an e-mail address or phone number. */
        get: operations["customers_by_contact"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/customers/duplicates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Pairs of customers that look like one: a shared phone number or e-mail address, or names
         *     that fold to the same letters; most reasons first.
         */
        get: operations["customers_duplicates"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/email/send": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send an e-mail to a customer through SMTP, log it as an outbound entry, and put a copy
         *     in the Sent folder (so the next sync does not log it twice).
         */
        post: operations["email_send"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/email/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * How every followed folder stands: last sync, last UID, messages on the server and stored,
         *     gaps found and repaired by reconciliation, the last error.
         */
        get: operations["email_status"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/email/sync": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sync every account now (as the background task does), optionally with reconciliation. */
        post: operations["email_sync"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/imports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Import jobs, newest first. */
        get: operations["imports_list"];
        put?: never;
        /**
         * The dry run of an uploaded file: every row's outcome (create, update, unchanged, skip,
         *     error) with totals, recorded as a `planned` job; no customer is written.
         */
        post: operations["imports_plan"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/imports/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One job: its status, totals and, while it runs, `written` of `totals.rows`. */
        get: operations["imports_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/imports/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ask a running job to stop after the batch it is writing; whole batches stay written and
         *     the job ends `cancelled` (follow it with `GET`).
         */
        post: operations["imports_cancel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/imports/{id}/errors.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The rows in error as CSV to fix and import again: the file's columns and an `error`
         *     column, UTF-8 with a byte-order mark (Excel reads the Greek), the file's delimiter.
         */
        get: operations["imports_error_csv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/imports/{id}/rows": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A job's rows and their outcomes (the dry run's, then the run's), in file order. */
        get: operations["imports_rows"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/imports/{id}/run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start the real run of a dry-run job in the background: it writes what the dry run said
         *     (against the customers as they are now), batch by batch. Follow it with `GET`; a job runs
         *     once (409 when it is not `planned`).
         */
        post: operations["imports_run"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/imports/uploads": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload a CSV file (`multipart/form-data` with a `file` part, or the raw bytes with
         *     `?filename=`): answers how it was read (encoding, delimiter), its headers, the suggested
         *     mapping and its first rows as they would be stored. Nothing is recorded yet: the
         *     `upload_id` names the file in the dry run.
         */
        post: operations["imports_upload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/imports/uploads/{id}/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** An uploaded file's first rows as they would be stored with `mapping`. */
        post: operations["imports_preview"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/inbox": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Entries whose sender matched no customer, newest first. */
        get: operations["comms_inbox"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/inbox/{id}/assign": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Give an inbox entry (and on request every entry of its sender) to a customer. */
        post: operations["comms_assign"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/leads": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Leads, newest first, filtered; a page at a time. */
        get: operations["sales_list"];
        put?: never;
        /** Create a lead about a customer or a prospect; by default in the default pipeline's first stage. */
        post: operations["sales_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/leads/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One lead. */
        get: operations["sales_get"];
        /** Change the given fields (`null` clears); a new owner is recorded. The stage moves by `/stage`. */
        put: operations["sales_update"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/leads/{id}/comms": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The lead's comms, newest first: the unassigned entries sent from one of the prospect's
         *     contacts, and once the lead has a customer that customer's entries too.
         */
        get: operations["sales_comms"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/leads/{id}/convert": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Convert a won lead: its customer, or the one its prospect's contacts match, or a new one
         *     made from the prospect; with `create_draft_order` a draft order from its quoted lines.
         *     Converting again returns the same ids and creates nothing.
         */
        post: operations["sales_convert"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/leads/{id}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The lead's stage moves and who owned it when, oldest first (written by the server only). */
        get: operations["sales_history"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/leads/{id}/stage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Move the lead to another stage of its pipeline (the board's drag and drop); a lost stage
         *     needs `lost_reason` (422 on `lost_reason` without one). The move is recorded; moving to
         *     the stage it is in changes nothing.
         */
        post: operations["sales_move_stage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/macros": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every macro by name. */
        get: operations["tickets_macros"];
        put?: never;
        /**
         * Save a macro: actions (`set_status`, `set_priority`, `set_assignee`, `add_tag`,
         *     `remove_tag`, `add_note` with `{customer}` and `{ticket}` filled in) applied in order.
         */
        post: operations["tickets_create_macro"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/macros/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Edit a macro in place: the name and actions are replaced (validated as on create), the id
         *     stays. The same name and actions change nothing, not even the version.
         */
        put: operations["tickets_update_macro"];
        post?: never;
        /** Delete a macro. */
        delete: operations["tickets_delete_macro"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/media": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Media records of a customer or an order, newest first. */
        get: operations["media_list"];
        put?: never;
        /**
         * Record a file that is in Nextcloud already. With only `order_id`, the record also
         *     belongs to the order's customer. `nextcloud_path` follows the rules of every Nextcloud
         *     path the API takes (those of `/nextcloud/file`), and names a file, not the base folder.
         */
        post: operations["media_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/media/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One media record. */
        get: operations["media_get"];
        put?: never;
        post?: never;
        /** Delete a media record (not the file). */
        delete: operations["media_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/nextcloud/browse": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The content of a folder in Nextcloud. */
        get: operations["nextcloud_browse"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/nextcloud/file": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a file: the body streams from Nextcloud as it arrives. One `Range` is passed
         *     through (206 with `Content-Range`; 416 past the end; `If-Range` honoured). Raster images
         *     are `inline`, everything else an `attachment`; `X-Content-Type-Options: nosniff` and a
         *     sandboxing `Content-Security-Policy` always.
         */
        get: operations["nextcloud_download"];
        put?: never;
        post?: never;
        /**
         * Delete a file and its media record. Folders are refused (422). A file already gone whose
         *     record remains: the record is deleted (204); neither there: 404.
         */
        delete: operations["nextcloud_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/nextcloud/upload": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload a file (multipart/form-data: `nextcloud_path`, optional `customer_id` and
         *     `order_id`, then `file`). The file streams to Nextcloud as it arrives; one larger than
         *     `max_upload_bytes` is refused with 413 and nothing of it is left. Then the media record:
         *     direction from the subfolder (`Sent Media` sent, `Received Media` received, else
         *     internal). Uploading to an existing path replaces the file and keeps its one record.
         */
        post: operations["nextcloud_upload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/orders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List orders, newest first. */
        get: operations["orders_list"];
        put?: never;
        /** Create an order. The order number, subtotal and total are assigned by the server. */
        post: operations["orders_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/orders/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One order, with its status history. */
        get: operations["orders_get"];
        /**
         * Change the given fields of an order; totals are recomputed and stock moves with the status.
         *     With `If-Match`, only if it is still that version. A delivered order's serials become its
         *     customer's owned items (again on every update of a delivered order, idempotently: a
         *     registration that failed is completed by sending the update again).
         */
        put: operations["orders_update"];
        post?: never;
        /**
         * Delete an order. An order that holds stock (confirmed, in production, shipped, delivered)
         *     is refused: cancel it first, which gives the stock back.
         */
        delete: operations["orders_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/orders/{id}/document": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The order's quotation or order confirmation as a PDF (A4, Greek), with the company of the
         *     configuration as issuer.
         */
        get: operations["orders_document"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/pipelines": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every pipeline, the default first. */
        get: operations["sales_pipelines"];
        put?: never;
        /**
         * Create a pipeline: a unique name and its stages in board order (at least one open stage,
         *     exactly one won, at least one lost).
         */
        post: operations["sales_create_pipeline"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/pipelines/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One pipeline with its stages. */
        get: operations["sales_pipeline"];
        /**
         * Replace a pipeline's name and stages: stages sent with their `id` keep it and their leads,
         *     the list's order is the board order. Removing a stage that holds leads, or changing
         *     whether it is won or lost, is a 409 naming how many leads it holds.
         */
        put: operations["sales_update_pipeline"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/pipelines/{id}/view": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The board in numbers: per stage the count, sum of values and weighted sum (value ×
         *     probability) of its leads; per owner the same of the open leads.
         */
        get: operations["sales_view"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/products": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List products. */
        get: operations["products_list"];
        put?: never;
        /** Create a product. `costs.total` and `stock.available` are computed by the server. */
        post: operations["products_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/products/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One product. */
        get: operations["products_get"];
        /** Change the given fields of a product. With `If-Match`, only if it is still that version. */
        put: operations["products_update"];
        post?: never;
        /** Delete a product no order refers to. */
        delete: operations["products_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/serials/{serial}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A device's history by its serial number: the orders that carried it (the first sold it), its
         *     owner and the owned item with its warranty, and the service desk's tickets and visits about
         *     it.
         */
        get: operations["orders_serial"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/ticket-tags": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every ticket tag with its number of tickets. */
        get: operations["tickets_tags"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/tickets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List tickets, newest first (or soonest due), filtered. */
        get: operations["tickets_list"];
        put?: never;
        /** Open a ticket; the server assigns its number (`TCK-2026-0001`) and records `created`. */
        post: operations["tickets_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/tickets/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One ticket. */
        get: operations["tickets_get"];
        /**
         * Change the given fields; a status move the workflow does not allow is a 409 naming the
         *     current status. Status, assignee and priority changes are recorded as activities.
         */
        put: operations["tickets_update"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/tickets/{id}/activities": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The ticket's activity stream, in the order it happened (written by the server only). */
        get: operations["tickets_activities"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/tickets/{id}/entries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Link a comms entry (of the ticket's customer, or of none); records `entry_linked`.
         *     Linking it again changes nothing.
         */
        post: operations["tickets_link_entry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/tickets/{id}/macros/{macro_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Apply a macro to the ticket, all or nothing (one refused step, a 409, changes nothing);
         *     each effect is recorded, then `macro_applied`.
         */
        post: operations["tickets_apply_macro"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/tickets/{id}/notes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The ticket's notes, oldest first: internal ones and what the customer was told. */
        get: operations["tickets_notes"];
        put?: never;
        /** Add a note by the caller; records `comment_added`. */
        post: operations["tickets_add_note"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/tickets/{id}/tags": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Add a tag (an existing one, ignoring case, keeps its spelling); records `tag_added`. */
        post: operations["tickets_add_tag"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/tickets/{id}/tags/{tag}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a tag (ignoring case); records `tag_removed`. An absent tag changes nothing. */
        delete: operations["tickets_remove_tag"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/tickets/{id}/visits": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The ticket's visits by start. */
        get: operations["tickets_list_visits"];
        put?: never;
        /**
         * Schedule an on-site visit; without `address`, at the customer's location (city, region,
         *     country). Records `visit_scheduled`.
         */
        post: operations["tickets_schedule"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/visits/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Complete a scheduled visit (`{"status": "completed", "outcome", "parts"}`) or call it off
         *     (`{"status": "cancelled"}`); records `visit_completed` or `visit_cancelled`.
         */
        put: operations["tickets_update_visit"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/whatsapp/send": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a WhatsApp message and log it as an outbound entry; its delivery state
         *     (`meta.delivery`) follows from Meta's status webhooks.
         */
        post: operations["whatsapp_send"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/whatsapp/window": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Whether free text can reach the customer on WhatsApp now (within 24 hours of their last
         *     message), or only an approved template.
         */
        get: operations["whatsapp_window"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/workflow-runs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One run with its per-node log (input, output, error, duration). */
        get: operations["workflows_run"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/workflow-runs/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a running or waiting run: it takes no further step. One that ended is a 409. */
        post: operations["workflows_cancel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/workflow-runs/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Retry a failed run from the node it failed at; an output it already performed is not
         *     repeated. A run that did not fail is a 409.
         */
        post: operations["workflows_retry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/workflows": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every workflow with its current version. */
        get: operations["workflows_list"];
        put?: never;
        /**
         * Save a new workflow, disabled, at version 1; a definition that breaks a rule is a 422
         *     naming the node's field (`definition.nodes[2].config.condition`).
         */
        post: operations["workflows_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/workflows/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One workflow with its current version. */
        get: operations["workflows_get"];
        /** Save an edited definition as the next version; runs already started keep theirs. */
        put: operations["workflows_update"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/workflows/{id}/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Disable a workflow: nothing starts its runs but a manual run. */
        post: operations["workflows_disable"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/workflows/{id}/enable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Enable a workflow: its event or schedule starts runs. */
        post: operations["workflows_enable"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/workflows/{id}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A workflow's runs, newest first (the latest 200). */
        get: operations["workflows_runs"];
        put?: never;
        /**
         * Run the workflow's current version now with `input` as its trigger data, enabled or not
         *     (a test run); answers the run once it ended or waits, with its steps. Its outputs act.
         */
        post: operations["workflows_start"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/crm/workflows/catalogue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What a workflow can be made of: the console builds its forms from it. */
        get: operations["workflows_catalogue"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/webhooks/whatsapp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Meta's subscription handshake: the challenge back as plain text, or 403. */
        get: operations["whatsapp_verify"];
        put?: never;
        /**
         * A webhook from Meta: verified against `X-Hub-Signature-256`, stored durably, then
         *     acknowledged; processed by a worker afterwards.
         */
        post: operations["whatsapp_receive"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness and readiness, and how every dependency stands (see `channels::health`): `status`
         *     is `ok` or `degraded` (an integration down, a sync failing, a backlog, low disk), each check
         *     named in `checks`. 503 only when the database or the record store does not answer. Needs
         *     no token.
         */
        get: operations["system_health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description An account and how each of its folders stands. */
        AccountStatus: {
            folders: components["schemas"]["MailFolderStatus"][];
            /** @description Whether the account reads mail (IMAP) and can send (SMTP). */
            imap: boolean;
            name: string;
            smtp: boolean;
        };
        /** @description One entry of a ticket's activity stream, written by the server only. */
        Activity: components["schemas"]["ActivityKind"] & {
            /** @description Username of who did it. */
            actor: string;
            at: components["schemas"]["Timestamp"];
            /**
             * Format: int64
             * @description Append order over all tickets.
             */
            seq: number;
            /** Format: uuid */
            ticket_id: string;
        };
        /** @description What happened to a ticket; stored as JSON with `kind` naming the variant. */
        ActivityKind: {
            /** @enum {string} */
            kind: "created";
        } | {
            from: components["schemas"]["TicketStatus"];
            /** @enum {string} */
            kind: "status_changed";
            to: components["schemas"]["TicketStatus"];
        } | {
            from?: string | null;
            /** @enum {string} */
            kind: "assigned";
            to?: string | null;
        } | {
            from: components["schemas"]["Priority"];
            /** @enum {string} */
            kind: "priority_changed";
            to: components["schemas"]["Priority"];
        } | {
            /** @enum {string} */
            kind: "visit_scheduled";
            /** Format: uuid */
            visit_id: string;
        } | {
            /** @enum {string} */
            kind: "visit_completed";
            /** Format: uuid */
            visit_id: string;
        } | {
            /** @enum {string} */
            kind: "visit_cancelled";
            /** Format: uuid */
            visit_id: string;
        } | {
            /** @enum {string} */
            kind: "comment_added";
            /** Format: uuid */
            note_id: string;
            visibility: components["schemas"]["Visibility"];
        } | {
            /** Format: uuid */
            entry_id: string;
            /** @enum {string} */
            kind: "entry_linked";
        } | {
            /** @enum {string} */
            kind: "tag_added";
            tag: string;
        } | {
            /** @enum {string} */
            kind: "tag_removed";
            tag: string;
        } | {
            /** @enum {string} */
            kind: "macro_applied";
            /** Format: uuid */
            macro_id: string;
            name: string;
        };
        /** @description A local user as administrators see it (never its password hash or token generation). */
        AdminUser: {
            created_at: components["schemas"]["Timestamp"];
            disabled: boolean;
            display_name?: string | null;
            /** @description The PBX extension click-to-call rings first. */
            extension?: string | null;
            /** @description Drawn from `crm:view`, `crm:edit`, `crm:admin`. */
            permissions: string[];
            /** @description The signature under the user's e-mails (several lines). */
            signature?: string | null;
            username: string;
        };
        AdminUserList: {
            users: components["schemas"]["AdminUser"][];
        };
        /** @description What assigning an inbox entry did. */
        Assignment: {
            /** Format: uuid */
            customer_id: string;
            /** @description The entries moved to the customer: the one asked for first. */
            moved: string[];
            /** @description The raw sender of the entry that was assigned. */
            sender?: string | null;
        };
        AssignRequest: {
            /**
             * @description Also make the sender one of the customer's contacts (e-mail, WhatsApp or phone, by
             *     the entry's channel).
             */
            add_contact?: boolean;
            /** @description Also move every other inbox entry of the same sender. */
            all_from_sender?: boolean;
            /** Format: uuid */
            customer_id: string;
        };
        AssignResult: components["schemas"]["Assignment"] & {
            /** @description Whether the sender became a new contact of the customer. */
            contact_added: boolean;
        };
        /** @description A file attached to a comms entry. */
        Attachment: {
            filename: string;
            mime_type?: string | null;
            /** @description Where the file is kept in Nextcloud, relative to the configured base folder. */
            nextcloud_path?: string | null;
            /**
             * Format: int64
             * @description Size in bytes.
             */
            size?: number | null;
            /**
             * @description Where the file can be fetched from when it is not in Nextcloud (an IMAP message, a
             *     WhatsApp media id).
             */
            source?: string | null;
        };
        /** @description What the console builds workflow forms from. */
        Catalogue: {
            events: components["schemas"]["EventInfo"][];
            nodes: components["schemas"]["NodeInfo"][];
            triggers: components["schemas"]["TriggerInfo"][];
        };
        /**
         * @description The triggers, events and node kinds with their fields, and the kinds this server cannot
         *     run now with why (AI nodes without `CRM_LLM_URL`).
         */
        CatalogueView: components["schemas"]["Catalogue"] & {
            unavailable: {
                [key: string]: string;
            };
        };
        /**
         * @description What kind of thing a product is.
         * @enum {string}
         */
        Category: "controller" | "striker" | "clock" | "part" | "repair_service";
        /** @description One channel's queue of inbound webhook bodies. */
        ChannelQueue: {
            channel: string;
            /** Format: int64 */
            failed: number;
            last_received_at?: null | components["schemas"]["Timestamp"];
            /** Format: int64 */
            pending: number;
        };
        /** @description One dependency's state. */
        Check: {
            /** @description What is wrong, when something is. */
            error?: string | null;
            /** @description Figures of the check (queue depths, bytes free, …). */
            figures?: {
                [key: string]: number;
            };
            last_success_at?: null | components["schemas"]["Timestamp"];
            /**
             * @description `ok`, `off`, `down`, `failing`, `backlog` or `low`.
             * @example ok
             */
            status: string;
        };
        /** @description The caller's choice for each scalar field on which the two customers differ. */
        Choices: {
            /** @default kept */
            language: components["schemas"]["Side"];
            /** @default kept */
            location: components["schemas"]["Side"];
            /** @default kept */
            name: components["schemas"]["Side"];
            /** @default kept */
            nextcloud_folder: components["schemas"]["Side"];
            /** @default kept */
            organization: components["schemas"]["Side"];
        };
        /**
         * @description The channel of a comms entry.
         * @enum {string}
         */
        CommsType: "email" | "whatsapp" | "call" | "sms" | "note" | "in_person";
        /** @description A stored contact. Phone and WhatsApp numbers also carry their E.164 form. */
        Contact: {
            /** @description `+306912345678`: only for `phone` and `whatsapp`, computed by the server. */
            e164?: string | null;
            label?: string | null;
            primary: boolean;
            type: components["schemas"]["ContactType"];
            /**
             * @description Present (`true`) when the phone-number metadata does not list the number's range (a
             *     newly assigned range, a number WhatsApp or the PBX gave): kept and matched by its
             *     `e164` all the same. Computed by the server.
             */
            unlisted?: boolean;
            /** @description As the user wrote it. */
            value: string;
        };
        /** @description A contact as a client sends it. `e164` is computed, never read. */
        ContactInput: {
            label?: string | null;
            primary?: boolean;
            type: components["schemas"]["ContactType"];
            value?: string;
        };
        /**
         * @description How a customer can be reached.
         * @enum {string}
         */
        ContactType: "email" | "phone" | "whatsapp" | "other";
        /** @description What a conversion did. */
        Conversion: {
            /**
             * @description Whether this call created the customer (false when it matched or was given one, and
             *     on a repeated conversion).
             */
            customer_created: boolean;
            /** Format: uuid */
            customer_id: string;
            lead: components["schemas"]["Lead"];
            /** Format: uuid */
            order_id?: string | null;
        };
        /** @description What a conversion is asked to do besides attaching the customer. */
        ConvertRequest: {
            /** @description Open a draft order from the lead's quoted lines. */
            create_draft_order?: boolean;
        };
        /** @description What one unit costs to make. All amounts are exact decimals in the product's currency. */
        Costs: {
            /** @default 0 */
            components: components["schemas"]["Money"];
            /** @default 0 */
            enclosure: components["schemas"]["Money"];
            /** @default 0 */
            labor_hours: components["schemas"]["Money"];
            /** @default 0 */
            labor_rate: components["schemas"]["Money"];
            /** @default 0 */
            pcb: components["schemas"]["Money"];
            /** @default 0 */
            shipping_in: components["schemas"]["Money"];
            /** @default 0 */
            total: components["schemas"]["Money"];
        };
        /**
         * @description Cost parts as a client sends them: in a create each absent (or `null`) part is 0, in a
         *     change it stays as it is.
         */
        CostsPatch: {
            /**
             * @description Exact decimal amount, at least 0, sent as a number or a decimal string.
             * @example 12.3
             */
            components?: number | string | null;
            /**
             * @description Exact decimal amount, at least 0, sent as a number or a decimal string.
             * @example 12.3
             */
            enclosure?: number | string | null;
            /**
             * @description Hours of work per unit: an exact decimal, at least 0.
             * @example 12.3
             */
            labor_hours?: number | string | null;
            /**
             * @description Exact decimal amount, at least 0, sent as a number or a decimal string.
             * @example 12.3
             */
            labor_rate?: number | string | null;
            /**
             * @description Exact decimal amount, at least 0, sent as a number or a decimal string.
             * @example 12.3
             */
            pcb?: number | string | null;
            /**
             * @description Exact decimal amount, at least 0, sent as a number or a decimal string.
             * @example 12.3
             */
            shipping_in?: number | string | null;
        };
        /** @description A customer: a parish, a priest, a person or a company. */
        Customer: {
            contacts: components["schemas"]["Contact"][];
            created_at: components["schemas"]["Timestamp"];
            /** Format: uuid */
            id: string;
            /** @description Language to write to them in, e.g. `el` (the default) or `en`. */
            language: string;
            linked_user_ids: string[];
            location: components["schemas"]["Location"];
            name: string;
            /** @description e.g. `05_Customers/ΕΝΟΡΙΑ_ΑΓ_ΝΙΚΟΛΑΟΥ` */
            nextcloud_folder?: string | null;
            notes: components["schemas"]["Note"][];
            organization?: string | null;
            owned_items: components["schemas"]["OwnedItem"][];
            /** @description Trimmed, without duplicates (ignoring case), never empty. */
            tags: string[];
            updated_at: components["schemas"]["Timestamp"];
            /** Format: int64 */
            version: number;
        };
        CustomerList: {
            customers: components["schemas"]["Customer"][];
            /** Format: int64 */
            total: number;
        };
        CustomerMedia: {
            /** @description The customer's `nextcloud_folder`. */
            folder?: string | null;
            /** @description Whether the folder was read; when not, the list holds the records only. */
            folder_read: boolean;
            folder_status: components["schemas"]["FolderStatus"];
            /** @description Newest first (file time, else record time). */
            items: components["schemas"]["CustomerMediaItem"][];
            /** Format: int64 */
            total: number;
        };
        CustomerMediaItem: {
            /** @description The record's, else the one its subfolder stands for. */
            direction: components["schemas"]["MediaDirection"];
            filename: string;
            /**
             * Format: date-time
             * @description The file's, when it was found in the folder.
             */
            last_modified?: string | null;
            mime_type?: string | null;
            /** @description Relative to the configured base folder (what `GET /nextcloud/file?path=` takes). */
            path: string;
            record?: null | components["schemas"]["MediaRecord"];
            /** Format: int64 */
            size?: number | null;
            source: components["schemas"]["Source"];
        };
        /**
         * @description A partial update: absent fields stay, `null` clears a clearable field (or empties a
         *     list), arrays replace the whole list.
         */
        CustomerPatch: {
            contacts?: components["schemas"]["ContactInput"][] | null;
            /** @description `null` resets to `el`. */
            language?: string | null;
            linked_user_ids?: string[] | null;
            location?: null | components["schemas"]["Location"];
            name?: string | null;
            nextcloud_folder?: string | null;
            notes?: components["schemas"]["NoteInput"][] | null;
            organization?: string | null;
            owned_items?: components["schemas"]["OwnedItem"][] | null;
            tags?: string[] | null;
        };
        /** @description A version's content. */
        Definition: {
            nodes: components["schemas"]["Node"][];
            trigger: components["schemas"]["Trigger"];
        };
        /**
         * @description What separates the cells of a row.
         * @enum {string}
         */
        Delimiter: "comma" | "semicolon" | "tab";
        /**
         * @description Which way a comms entry went.
         * @enum {string}
         */
        Direction: "inbound" | "outbound" | "internal";
        /** @description A discount on the whole order. */
        Discount: {
            reason?: string | null;
            type: components["schemas"]["DiscountType"];
            /**
             * @description Percent (at most 100) or an amount (at most the subtotal), per `type`; at least 0, with at most 6 decimal places.
             * @example 12.3
             */
            value: number | string;
        };
        /**
         * @description How a discount is given.
         * @enum {string}
         */
        DiscountType: "percentage" | "fixed";
        /** @description Two customers that look like one, the older first. */
        DuplicatePair: {
            a: components["schemas"]["Customer"];
            b: components["schemas"]["Customer"];
            reasons: components["schemas"]["Reason"][];
        };
        /**
         * @description How a file's text was encoded.
         * @enum {string}
         */
        Encoding: "utf8" | "utf8_bom" | "windows1253" | "iso8859_7";
        /** @description One conversation, message, call, note or visit. */
        Entry: {
            attachments: components["schemas"]["Attachment"][];
            body?: string | null;
            created_at: components["schemas"]["Timestamp"];
            /**
             * Format: uuid
             * @description The customer, or `null` while the entry is in the unassigned inbox.
             */
            customer_id?: string | null;
            direction: components["schemas"]["Direction"];
            ext_message_id?: string | null;
            /** Format: uuid */
            id: string;
            logged_by?: string | null;
            /** @description What the channel knows beyond the common fields. */
            meta: Record<string, never>;
            occurred_at: components["schemas"]["Timestamp"];
            /** @description The raw address or number it came from, when known. */
            sender?: string | null;
            subject?: string | null;
            type: components["schemas"]["CommsType"];
            updated_at: components["schemas"]["Timestamp"];
            /** Format: int64 */
            version: number;
        };
        /** @description A comms entry to link. */
        EntryLink: {
            /** Format: uuid */
            entry_id: string;
        };
        /** @description A page of comms entries (the comms log, the inbox, the missed calls). */
        EntryList: {
            entries: components["schemas"]["Entry"][];
            /** @description Pass as `cursor` for the next page; `null` on the last page. */
            next_cursor?: string | null;
            /**
             * Format: int64
             * @description Matching entries in all pages.
             */
            total: number;
        };
        /** @description A change to an entry: only the fields given change; `null` clears subject or body. */
        EntryPatch: {
            body?: string | null;
            occurred_at?: null | components["schemas"]["Timestamp"];
            /** @description One line. */
            subject?: string | null;
        };
        ErrorBody: {
            error: components["schemas"]["ErrorDetail"];
        };
        ErrorDetail: {
            /** @description Stable machine-readable code, e.g. `not_found`, `invalid_field`. */
            code: string;
            /** @description Extra structure, e.g. `{"field": "costs.pcb"}` for 422. */
            details?: unknown;
            /** @description Human-readable explanation. */
            message: string;
        };
        /** @description An event, for the console's form. */
        EventInfo: {
            /** @description The fields of its trigger data. */
            data: string[];
            description: string;
            name: string;
        };
        /** @description Work that was given up on, until someone retries it. */
        FailedJob: {
            /** @description When the body arrived, or when the attachment was last due. */
            at: components["schemas"]["Timestamp"];
            /** Format: int32 */
            attempts: number;
            /**
             * Format: uuid
             * @description The entry an attachment belongs to.
             */
            entry_id?: string | null;
            /** Format: int64 */
            id: number;
            kind: components["schemas"]["JobKind"];
            last_error?: string | null;
            /** @description The inbound body's channel, or the attachment's source (`whatsapp:<media id>`). */
            source: string;
        };
        /**
         * @description What a column holds.
         * @enum {string}
         */
        Field: "name" | "organization" | "phone" | "mobile" | "email" | "whatsapp" | "city" | "region" | "tags" | "notes" | "language" | "ignore";
        /** @description A config field, for the console's form. */
        FieldInfo: {
            choices: string[];
            help: string;
            kind: components["schemas"]["FieldKind"];
            name: string;
            /** @description The group's name when exactly one of several fields is required. */
            one_of?: string | null;
            required: boolean;
        };
        /**
         * @description The form control of a field.
         * @enum {string}
         */
        FieldKind: "text" | "template" | "expression" | "number" | "object" | "choice";
        /** @description A file or folder in Nextcloud. */
        FileItem: {
            etag?: string | null;
            filename: string;
            is_dir: boolean;
            /** Format: date-time */
            last_modified?: string | null;
            /** @description `None` for folders. */
            mime_type?: string | null;
            /** @description Relative to the configured base folder; pass it back as `path`. */
            path: string;
            /**
             * Format: int64
             * @description Bytes (folders: only when the server reports it).
             */
            size?: number | null;
        };
        /** @description What one pass did to one folder. */
        FolderReport: {
            account: string;
            /**
             * Format: int64
             * @description After a UIDVALIDITY change: messages the CRM held, moved to their new place without
             *     being downloaded.
             */
            adopted: number;
            /** @description What stopped this folder, if anything. */
            error?: string | null;
            /**
             * Format: int64
             * @description Messages the CRM holds that the server no longer has, found by this pass.
             */
            expunged: number;
            failed: string[];
            /**
             * Format: int64
             * @description Messages the sync downloaded (new ones, and those it had to read to know them).
             */
            fetched: number;
            folder: string;
            /**
             * Format: int64
             * @description Reconciliation (verify passes only): messages missing from the CRM, fetched now, and
             *     those that could not be stored (with why).
             */
            missing: number;
            /**
             * Format: int64
             * @description Messages new to the CRM, stored by the sync.
             */
            new: number;
            /**
             * Format: int32
             * @description Messages in the folder at the end of the pass.
             */
            on_server: number;
            /** Format: int64 */
            repaired: number;
            /** @description True when the folder's UIDVALIDITY had changed and it was listed again. */
            resync: boolean;
        };
        /**
         * @description What became of reading the customer's Nextcloud folder.
         * @enum {string}
         */
        FolderStatus: "read" | "not_configured" | "no_folder" | "not_found" | "invalid_folder" | "unavailable";
        /** @description What `POST /comms/{id}/ticket` may say; everything else comes from the entry. */
        FromEntry: {
            assignee?: string | null;
            /**
             * Format: uuid
             * @description The entry's customer when absent; required for an entry without one.
             */
            customer_id?: string | null;
            description?: string | null;
            kind?: null | components["schemas"]["TicketKind"];
            priority?: null | components["schemas"]["Priority"];
            /**
             * @description Default: the entry's subject, else the first line of its text, else "`call from
             *     <number>`".
             */
            subject?: string | null;
        };
        /**
         * @description Where a node kind sits in the console's palette.
         * @enum {string}
         */
        Group: "logic" | "utility" | "output" | "ai";
        /** @description What `/healthz` answers. */
        HealthReport: {
            /**
             * @description By name: `database`, `store`, `disk`, `nextcloud`, `pbx`, `whatsapp`, `backup`, and
             *     `mail:<account>/<folder>` for each followed folder.
             */
            checks: {
                [key: string]: components["schemas"]["Check"];
            };
            /**
             * @description `ok` or `degraded`.
             * @example ok
             */
            status: string;
            /**
             * @description Where products, customers and orders are kept: `sqlite` or `firestore`.
             * @example sqlite
             */
            store: string;
            version: string;
        };
        /**
         * @description The file of `POST /imports/uploads` as a form (or send it as the raw body with
         *     `?filename=`).
         */
        ImportForm: {
            /**
             * Format: binary
             * @description The CSV file; its part's `filename` is kept with the job.
             */
            file: string;
        };
        /** @description Every integration at a glance. */
        IntegrationStatus: {
            /** @description The e-mail accounts and their folders; `null` when e-mail is not configured. */
            mail?: components["schemas"]["AccountStatus"][] | null;
            nextcloud: components["schemas"]["NextcloudStatus"];
            pbx: components["schemas"]["PbxStatus"];
            /** @description The durable queues (webhook bodies, attachments to fetch) and their failed work. */
            queues: components["schemas"]["QueueOverview"];
            whatsapp: components["schemas"]["WhatsAppStatus"];
        };
        /** @description One line of an order, as stored and returned. */
        Item: {
            description?: string | null;
            /**
             * @description Computed by the server: `quantity × unit_price`, rounded to cents, in the prices'
             *     basis (net, or gross when prices include VAT).
             */
            line_total?: components["schemas"]["Money"];
            /** @description Computed by the server: the line's net after its share of the discount. */
            net_amount?: components["schemas"]["Money"];
            /** Format: uuid */
            product_id?: string | null;
            /** @description As given, or the product's name when the item was saved. */
            product_name?: string | null;
            /** @description Exact positive decimal (not money: carried as an exact decimal so `1.5` stays `1.5`). */
            quantity: components["schemas"]["Money"];
            serial_numbers: string[];
            type: components["schemas"]["ItemType"];
            /** @description Net, or gross when the order's `prices_include_vat` is true. */
            unit_price: components["schemas"]["Money"];
            /** @description Computed by the server: the VAT of `net_amount`. */
            vat_amount?: components["schemas"]["Money"];
            /** @description Why a 0 % line is exempt (e.g. «Άρθρο 39α ΚΦΠΑ»); only on 0 % lines. */
            vat_exemption?: string | null;
            /** @description As given, or the product's `vat_rate` when the item was saved, or 24. */
            vat_rate?: components["schemas"]["VatRate"];
        };
        /**
         * @description What an order line is; see the module documentation.
         * @enum {string}
         */
        ItemType: "product" | "service" | "freetext";
        /** @description An import job. */
        Job: {
            created_at: components["schemas"]["Timestamp"];
            created_by: string;
            delimiter: components["schemas"]["Delimiter"];
            encoding: components["schemas"]["Encoding"];
            /** @description Why a failed job stopped. */
            failure?: string | null;
            file_name: string;
            finished_at?: null | components["schemas"]["Timestamp"];
            /** @description The header row as read. */
            headers: string[];
            /** Format: uuid */
            id: string;
            key: components["schemas"]["MatchKey"];
            /** @description The field of each column. */
            mapping: components["schemas"]["Field"][];
            started_at?: null | components["schemas"]["Timestamp"];
            status: components["schemas"]["JobStatus"];
            /** @description The dry run's totals, then the run's. */
            totals: components["schemas"]["Totals"];
            updated_at: components["schemas"]["Timestamp"];
            /**
             * Format: int64
             * @description Rows the run has handled durably (written or nothing to write).
             */
            written: number;
        };
        /**
         * @description What kind of queued work a [`FailedJob`] is.
         * @enum {string}
         */
        JobKind: "inbound" | "attachment";
        /**
         * @description Where a job is.
         * @enum {string}
         */
        JobStatus: "planned" | "running" | "done" | "cancelled" | "failed";
        /**
         * @description Which document the sheet is.
         * @enum {string}
         */
        Kind: "quotation" | "confirmation";
        /** @description A lead as stored. */
        Lead: {
            /**
             * Format: uuid
             * @description The customer the lead became or was attached to when converted.
             */
            converted_customer_id?: string | null;
            /**
             * Format: uuid
             * @description The draft order its conversion opened.
             */
            converted_order_id?: string | null;
            created_at: components["schemas"]["Timestamp"];
            /** @description Always `EUR`. */
            currency: string;
            /**
             * Format: uuid
             * @description The existing customer it is about; absent for a prospect.
             */
            customer_id?: string | null;
            estimated_value?: null | components["schemas"]["Money"];
            /** Format: date */
            expected_close?: string | null;
            /** Format: uuid */
            id: string;
            lines: components["schemas"]["QuotedLine"][];
            /** @description Required while the lead is in a lost stage. */
            lost_reason?: string | null;
            /** @description Username of who works on it. */
            owner?: string | null;
            /** Format: uuid */
            pipeline_id: string;
            prospect?: null | components["schemas"]["Prospect"];
            source: components["schemas"]["LeadSource"];
            /** Format: uuid */
            stage_id: string;
            /** @description Derived from the stage. */
            status: components["schemas"]["LeadStatus"];
            tags: string[];
            title: string;
            updated_at: components["schemas"]["Timestamp"];
            /** Format: int64 */
            version: number;
        };
        /** @description Who owned a lead from when until when, written by the server only. */
        LeadAssignment: {
            assigned_by: string;
            from: components["schemas"]["Timestamp"];
            /** @description Nobody, when the lead was left without an owner. */
            owner?: string | null;
            until?: null | components["schemas"]["Timestamp"];
        };
        /** @description The comms entries shown on a lead's page. */
        LeadComms: {
            /**
             * Format: uuid
             * @description The customer whose entries are among them; absent before the lead has one (then they
             *     are the inbox entries of the prospect's contacts only).
             */
            customer_id?: string | null;
            /** @description Newest first. */
            entries: components["schemas"]["Entry"][];
        };
        /**
         * @description The kind of a prospect's contact.
         * @enum {string}
         */
        LeadContactKind: "phone" | "mobile" | "email" | "whatsapp";
        /** @description A lead's stage moves and owners, each oldest first. */
        LeadHistory: {
            assignments: components["schemas"]["LeadAssignment"][];
            stage_moves: components["schemas"]["StageMoveRecord"][];
        };
        /** @description A page of leads. */
        LeadList: {
            leads: components["schemas"]["Lead"][];
            /** @description Pass as `cursor` for the next page; `null` on the last page. */
            next_cursor?: string | null;
            /**
             * Format: int64
             * @description Matching leads in all pages.
             */
            total: number;
        };
        /**
         * @description A change of a lead's fields: what is given changes, what is absent stays; `null` clears an
         *     optional field. The stage changes only by a [`StageMove`]; the customer or prospect only by
         *     giving one of them (which replaces the other).
         */
        LeadPatch: {
            /** Format: uuid */
            customer_id?: string | null;
            estimated_value?: null | components["schemas"]["Money"];
            /** Format: date */
            expected_close?: string | null;
            lines?: components["schemas"]["QuotedLine"][] | null;
            /** @description Only while the lead is lost (it cannot be cleared there). */
            lost_reason?: string | null;
            owner?: string | null;
            prospect?: null | components["schemas"]["Prospect"];
            source?: null | components["schemas"]["LeadSource"];
            tags?: string[] | null;
            title?: string | null;
        };
        /**
         * @description How the lead reached us.
         * @enum {string}
         */
        LeadSource: "phone" | "email" | "whatsapp" | "web" | "fair" | "referral" | "other";
        /**
         * @description Where a lead is: its stage's kind.
         * @enum {string}
         */
        LeadStatus: "open" | "won" | "lost";
        Listing: {
            /** @description Folders first, then files, each by name (case and accents ignored). */
            items: components["schemas"]["FileItem"][];
            /** @description The folder listed (`""` for the base folder). */
            path: string;
            /** Format: int64 */
            total: number;
        };
        /** @description Where a customer is. Every part may be unknown. */
        Location: {
            city?: string | null;
            country?: string | null;
            region?: string | null;
        };
        LoginRequest: {
            password: string;
            username: string;
        };
        LoginResponse: {
            access_token: string;
            /**
             * Format: int64
             * @description Seconds until the token expires.
             */
            expires_in: number;
            /** @description Always `Bearer`. */
            token_type: string;
        };
        /** @description A named, saved list of actions applied to a ticket in one call. */
        Macro: {
            actions: components["schemas"]["MacroAction"][];
            created_at: components["schemas"]["Timestamp"];
            /** Format: uuid */
            id: string;
            name: string;
            updated_at: components["schemas"]["Timestamp"];
            /** Format: int64 */
            version: number;
        };
        /** @description One step of a macro. */
        MacroAction: {
            /** @enum {string} */
            action: "set_status";
            status: components["schemas"]["TicketStatus"];
        } | {
            /** @enum {string} */
            action: "set_priority";
            priority: components["schemas"]["Priority"];
        } | {
            /** @enum {string} */
            action: "set_assignee";
            assignee?: string | null;
        } | {
            /** @enum {string} */
            action: "add_tag";
            tag: string;
        } | {
            /** @enum {string} */
            action: "remove_tag";
            tag: string;
        } | {
            /** @enum {string} */
            action: "add_note";
            template: string;
            visibility?: components["schemas"]["Visibility"];
        };
        /** @description One folder of one account, as `GET /api/crm/email/status` shows it. */
        MailFolderStatus: {
            account: string;
            /**
             * Format: int64
             * @description Of `stored`, how many are no longer in the folder on the server (deleted or moved
             *     there), as the last resync or reconciliation found. `stored - expunged` is what the
             *     CRM holds of `on_server`.
             */
            expunged: number;
            folder: string;
            /** Format: int64 */
            gaps_failed: number;
            /**
             * Format: int64
             * @description Messages reconciliation passes found missing, repaired, and could not repair (totals).
             */
            gaps_found: number;
            /** Format: int64 */
            gaps_repaired: number;
            /** @description The last sync's error; cleared by the next sync that succeeds. */
            last_error?: string | null;
            last_error_at?: null | components["schemas"]["Timestamp"];
            last_sync_at?: null | components["schemas"]["Timestamp"];
            /**
             * Format: int32
             * @description Every message up to this UID is stored.
             */
            last_uid: number;
            /**
             * Format: int32
             * @description Messages in the folder at the last sync, per the server.
             */
            on_server?: number | null;
            /**
             * Format: int64
             * @description Messages of this folder the CRM holds, under whatever UIDVALIDITY they were stored
             *     (so a resync does not make them look missing), those since expunged included.
             */
            stored: number;
            /**
             * Format: int32
             * @description The folder's UIDVALIDITY at the last sync.
             */
            uidvalidity?: number | null;
            verified_at?: null | components["schemas"]["Timestamp"];
        };
        /** @description The trigger data of a manual run: an object (what `trigger.…` reads), `{}` when absent. */
        ManualRun: {
            input?: Record<string, never>;
        };
        /** @description How rows find the customer they are. */
        MatchKey: {
            /** @enum {string} */
            by: "contacts";
        } | {
            /** @enum {string} */
            by: "column";
            column: number;
        };
        /** @description The caller: its permissions and, for a local user, its profile. */
        Me: {
            display_name?: string | null;
            /** @description The PBX extension click-to-call rings when none is given. */
            extension?: string | null;
            permissions: string[];
            /** @description The signature to put under the caller's e-mails. */
            signature?: string | null;
            username: string;
        };
        /**
         * @description Where a file came from, which is also its Nextcloud subfolder.
         * @enum {string}
         */
        MediaDirection: "received" | "sent" | "internal";
        MediaList: {
            items: components["schemas"]["MediaRecord"][];
            /** Format: int64 */
            total: number;
        };
        /** @description A file the CRM knows about in Nextcloud. */
        MediaRecord: {
            created_at: components["schemas"]["Timestamp"];
            /** Format: uuid */
            customer_id?: string | null;
            direction: components["schemas"]["MediaDirection"];
            filename: string;
            /** Format: uuid */
            id: string;
            mime_type?: string | null;
            /** @description Relative to the configured Nextcloud base folder. */
            nextcloud_path: string;
            /** Format: uuid */
            order_id?: string | null;
            /**
             * Format: int64
             * @description Size in bytes, when known.
             */
            size?: number | null;
            tags: string[];
            updated_at: components["schemas"]["Timestamp"];
            uploaded_by?: string | null;
            /** Format: int64 */
            version: number;
        };
        MediaToSend: {
            caption?: string | null;
            /** @description A file in Nextcloud, relative to the base folder. */
            nextcloud_path: string;
        };
        /** @description What a merge did (or, in a dry run, would do). */
        MergeOutcome: {
            /** @description The duplicate had been merged into this customer before: nothing changed now. */
            already_merged: boolean;
            /** @description The kept customer after the merge. */
            customer: components["schemas"]["Customer"];
            dry_run: boolean;
            record: components["schemas"]["MergeRecord"];
        };
        /** @description What is remembered of a merge. */
        MergeRecord: {
            choices: components["schemas"]["Choices"];
            /** @description The duplicate as it was just before the merge. */
            duplicate: components["schemas"]["Customer"];
            /** Format: uuid */
            duplicate_id: string;
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            kept_id: string;
            merged_at: components["schemas"]["Timestamp"];
            /** @description Username of who merged. */
            merged_by: string;
            moved: components["schemas"]["Moved"];
        };
        /** @description `POST /customers/{kept}/merge`: the customer to merge into the kept one. */
        MergeRequest: {
            /** @description Which side each conflicting field comes from (default: the kept customer's). */
            choices?: components["schemas"]["Choices"];
            /** @description Only say what would happen: nothing is written. */
            dry_run?: boolean;
            /** Format: uuid */
            duplicate_id: string;
        };
        /**
         * @description Exact decimal amount. Sent as a number or a decimal string; returned as a number written exactly.
         * @example 12.3
         */
        Money: number | string;
        /** @description How many of each kind of record moved to the kept customer. */
        Moved: {
            /** Format: int64 */
            comms_entries: number;
            /**
             * Format: int64
             * @description Contacts the kept customer did not have.
             */
            contacts: number;
            /** Format: int64 */
            leads: number;
            /** Format: int64 */
            media_records: number;
            /** Format: int64 */
            notes: number;
            /** Format: int64 */
            orders: number;
            /**
             * Format: int64
             * @description Owned items whose serial the kept customer did not list.
             */
            owned_items: number;
            /**
             * Format: int64
             * @description Tags the kept customer did not have.
             */
            tags: number;
            /** Format: int64 */
            tickets: number;
        };
        /** @description A customer to create. */
        NewCustomer: {
            contacts?: components["schemas"]["ContactInput"][];
            /** @description Default `el`. */
            language?: string | null;
            linked_user_ids?: string[];
            location?: components["schemas"]["Location"];
            /** @description Required. */
            name?: string;
            nextcloud_folder?: string | null;
            notes?: components["schemas"]["NoteInput"][];
            organization?: string | null;
            owned_items?: components["schemas"]["OwnedItem"][];
            tags?: string[];
        };
        /** @description A new comms entry, as a client or a bridge sends it. */
        NewEntry: {
            attachments?: components["schemas"]["Attachment"][];
            body?: string | null;
            /**
             * Format: uuid
             * @description The customer; leave out (and give `sender`) for the unassigned inbox.
             */
            customer_id?: string | null;
            direction: components["schemas"]["Direction"];
            /** @description The id the entry has outside (Message-ID, WhatsApp message id, AMI Linkedid). */
            ext_message_id?: string | null;
            /** @description Who logged it; the gateway sets it from the caller's token. */
            logged_by?: string | null;
            /** @description A JSON object of at most 64 KiB, serialised. */
            meta?: Record<string, never> | null;
            occurred_at?: null | components["schemas"]["Timestamp"];
            /** @description The raw address or number the entry came from. */
            sender?: string | null;
            /** @description One line. */
            subject?: string | null;
            type: components["schemas"]["CommsType"];
        };
        /** @description A dry run of an uploaded file. */
        NewImport: {
            /** @description How rows find existing customers; absent: by phone or e-mail. */
            key?: components["schemas"]["MatchKey"];
            /** @description The field of each column, in column order; absent: the suggested mapping. */
            mapping?: components["schemas"]["Field"][] | null;
            /**
             * Format: uuid
             * @description From `POST /api/crm/imports/uploads`.
             */
            upload_id: string;
        };
        /**
         * @description One line of an order as given in a create or update. `quantity` and `unit_price` are
         *     required; `line_total` and unknown fields are ignored.
         */
        NewItem: {
            description?: string | null;
            /** Format: uuid */
            product_id?: string | null;
            /** @description Default: the product's name. */
            product_name?: string | null;
            /**
             * @description Exact positive decimal, e.g. `2` or `"1.5"`, with at most 3 decimal places.
             * @example 12.3
             */
            quantity: number | string;
            serial_numbers?: string[];
            type?: null | components["schemas"]["ItemType"];
            /**
             * @description Exact amount, at least 0, with at most 6 decimal places.
             * @example 12.3
             */
            unit_price: number | string;
            /** @description Required on a 0 % line, refused on any other. */
            vat_exemption?: string | null;
            vat_rate?: null | components["schemas"]["VatRate"];
        };
        /** @description A new lead as a client sends it. */
        NewLead: {
            /**
             * Format: uuid
             * @description An existing customer, or else `prospect`.
             */
            customer_id?: string | null;
            estimated_value?: null | components["schemas"]["Money"];
            /** Format: date */
            expected_close?: string | null;
            lines?: components["schemas"]["QuotedLine"][];
            lost_reason?: string | null;
            owner?: string | null;
            /**
             * Format: uuid
             * @description Default: the default pipeline.
             */
            pipeline_id?: string | null;
            prospect?: null | components["schemas"]["Prospect"];
            source: components["schemas"]["LeadSource"];
            /**
             * Format: uuid
             * @description Default: the pipeline's first open stage.
             */
            stage_id?: string | null;
            tags?: string[];
            title: string;
        };
        NewMacro: {
            actions: components["schemas"]["MacroAction"][];
            name: string;
        };
        /** @description A new media record (metadata only: the file is in Nextcloud already). */
        NewMedia: {
            /** Format: uuid */
            customer_id?: string | null;
            direction: components["schemas"]["MediaDirection"];
            /** @description Default: the last segment of `nextcloud_path`. */
            filename?: string | null;
            mime_type?: string | null;
            /**
             * @description A path inside the configured Nextcloud base folder, by the rules of every Nextcloud
             *     path the API takes: segments joined by `/`, no empty, `.` or `..` segment (in any
             *     percent-encoding), no backslash, control or bidirectional formatting character.
             */
            nextcloud_path: string;
            /** Format: uuid */
            order_id?: string | null;
            /** Format: int64 */
            size?: number | null;
            tags?: string[];
            /** @description Who uploaded it; the gateway sets it from the caller's token. */
            uploaded_by?: string | null;
        };
        NewNote: {
            /** @description Free text: line breaks and tabs allowed. */
            text: string;
        };
        /**
         * @description The body of a create. Only `customer_id` is required; `status` defaults to `draft`,
         *     `payment_status` to `pending`, `currency` to `EUR`, `items` to none. `null` is the same as
         *     absent. Unknown and server-computed fields (`id`, `order_number`, `subtotal`,
         *     `total_price`, `status_history`, …) are ignored.
         */
        NewOrder: {
            currency?: string | null;
            /** Format: uuid */
            customer_id: string;
            discount?: null | components["schemas"]["Discount"];
            invoice_path?: string | null;
            items?: components["schemas"]["NewItem"][];
            notes?: string | null;
            payment_status?: null | components["schemas"]["PaymentStatus"];
            /** @description Whether the unit prices include VAT; default false (net prices). */
            prices_include_vat?: boolean | null;
            shipping?: null | components["schemas"]["Shipping"];
            status?: null | components["schemas"]["Status"];
        };
        /**
         * @description The body of a create. `name`, `sku` and `category` are required; everything else has a
         *     default (`price` 0, `currency` EUR, `vat_rate` 24, `warranty_months` 24, costs and stock 0,
         *     `active` true, the rest null).
         *     `null` is the same as absent. Unknown fields (and `id`, `costs.total`, …) are ignored.
         */
        NewProduct: {
            active?: boolean | null;
            category: components["schemas"]["Category"];
            costs?: null | components["schemas"]["CostsPatch"];
            currency?: string | null;
            description?: string | null;
            linked_device_type?: string | null;
            name: string;
            nextcloud_folder?: string | null;
            /**
             * @description Exact decimal amount, at least 0, sent as a number or a decimal string.
             * @example 12.3
             */
            price?: number | string | null;
            sku: string;
            stock?: null | components["schemas"]["StockInput"];
            vat_rate?: null | components["schemas"]["VatRate"];
            /**
             * Format: int32
             * @description Default 24 months.
             */
            warranty_months?: number | null;
        };
        /** @description A new ticket as a client sends it. */
        NewTicket: {
            assignee?: string | null;
            /** Format: uuid */
            customer_id: string;
            description?: string | null;
            due_at?: null | components["schemas"]["Timestamp"];
            kind?: null | components["schemas"]["TicketKind"];
            /** Format: uuid */
            order_id?: string | null;
            owned_item_serial?: string | null;
            priority?: null | components["schemas"]["Priority"];
            status?: null | components["schemas"]["TicketStatus"];
            subject: string;
            tags?: string[];
        };
        NewTicketNote: {
            text: string;
            visibility?: components["schemas"]["Visibility"];
        };
        NewUserRequest: {
            display_name?: string | null;
            /** @description 2 to 10 digits. */
            extension?: string | null;
            /** @description At least 8 characters. */
            password: string;
            permissions?: string[];
            /** @description Up to 2,000 characters, several lines. */
            signature?: string | null;
            /** @description 1 to 64 characters without spaces; unique ignoring case. */
            username: string;
        };
        /**
         * @description A visit to schedule. The gateway fills `address` with the customer's location when the
         *     client leaves it out.
         */
        NewVisit: {
            address?: string | null;
            ends_at: components["schemas"]["Timestamp"];
            starts_at: components["schemas"]["Timestamp"];
            technician: string;
        };
        /** @description A new workflow: a name and its first version. */
        NewWorkflow: {
            definition: components["schemas"]["Definition"];
            name: string;
        };
        NextcloudStatus: {
            configured: boolean;
            /** @description Why not, when it did not. */
            error?: string | null;
            /** @description The base folder answered a PROPFIND just now (`null` when not configured). */
            reachable?: boolean | null;
        };
        /** @description One step of a definition. */
        Node: {
            /** @description `if`: `then`, `else`; `switch`: one per case value, and `default`; `loop`: `body`. */
            branches?: {
                [key: string]: string;
            };
            config?: Record<string, never>;
            /** @description Unique within the definition: letters, digits, `_` (expressions read `nodes.<key>`). */
            key: string;
            /** @description One of the catalogue's [`NODE_KINDS`]. */
            kind: string;
            /** @description The node after this one; none: the chain ends (the run, or a loop's iteration). */
            next?: string | null;
            /** @description Where the run goes when this node fails (the error handler branch). */
            on_error?: string | null;
        };
        /** @description A node kind, for the console's palette. */
        NodeInfo: {
            description: string;
            fields: components["schemas"]["FieldInfo"][];
            group: components["schemas"]["Group"];
            kind: string;
            /** @description The Greek label the console shows. */
            label_el: string;
        };
        /** @description A note on a customer. */
        Note: {
            at: components["schemas"]["Timestamp"];
            /** @description Who wrote it (user name or token subject). */
            by: string;
            text: string;
        };
        /** @description A note as a client sends it (when replacing all notes); `at` defaults to now. */
        NoteInput: {
            at?: null | components["schemas"]["Timestamp"];
            by?: string;
            text?: string;
        };
        /** @description An order as stored and returned. */
        Order: {
            created_at: components["schemas"]["Timestamp"];
            /** @description ISO 4217 code, e.g. `EUR`. */
            currency: string;
            /** Format: uuid */
            customer_id: string;
            discount?: null | components["schemas"]["Discount"];
            /** @description Computed by the server: what the discount takes off the subtotal, in cents. */
            discount_amount?: components["schemas"]["Money"];
            /** Format: uuid */
            id: string;
            /** @description Where the invoice is in Nextcloud, relative to the configured base. */
            invoice_path?: string | null;
            items: components["schemas"]["Item"][];
            /** @description Computed by the server: Σ `items[].net_amount`. */
            net_total?: components["schemas"]["Money"];
            notes?: string | null;
            /** @description `ORD-<year>-<NNN>`, assigned by the server. */
            order_number: string;
            payment_status: components["schemas"]["PaymentStatus"];
            /** @description True when the unit prices include VAT (gross), false when they are net. */
            prices_include_vat: boolean;
            shipping: components["schemas"]["Shipping"];
            status: components["schemas"]["Status"];
            /** @description Every status the order took, oldest first, starting with the one it was created with. */
            status_history: components["schemas"]["StatusChange"][];
            /** @description How the order holds stock (see [`crate::stock`]); set by the server from the status. */
            stock_state?: components["schemas"]["StockState"];
            /** @description Computed by the server: Σ `items[].line_total`, in the prices' basis. */
            subtotal: components["schemas"]["Money"];
            /** @description Computed by the server: what the customer pays, `net_total + vat_total`. */
            total_price: components["schemas"]["Money"];
            updated_at: components["schemas"]["Timestamp"];
            /** @description Computed by the server: net and VAT per rate, highest rate first. */
            vat_breakdown?: components["schemas"]["VatAmount"][];
            /** @description Computed by the server: Σ `items[].vat_amount`. */
            vat_total?: components["schemas"]["Money"];
            /**
             * Format: int64
             * @description 1 when created, +1 on every change.
             */
            version: number;
        };
        /** @description An order's quotation or confirmation to attach. */
        OrderDocument: {
            kind?: null | components["schemas"]["Kind"];
            /**
             * Format: uuid
             * @description An order of the customer the mail is for.
             */
            order_id: string;
        };
        /**
         * @description A status change of one of a customer's orders, as the customer's timeline shows it. The
         *     first change of an order (`from: null`) is its creation.
         */
        OrderEvent: {
            at: components["schemas"]["Timestamp"];
            from?: null | components["schemas"]["Status"];
            /** Format: uuid */
            order_id: string;
            order_number: string;
            /**
             * Format: int64
             * @description The history row: the append order of changes, unique across orders.
             */
            seq: number;
            to: components["schemas"]["Status"];
        };
        OrderList: {
            orders: components["schemas"]["Order"][];
            /** Format: int64 */
            total: number;
        };
        /**
         * @description The body of a partial update: only the fields given change.
         *
         *     An absent field stays as it is. `null` clears `discount`, `shipping` (to an empty object),
         *     `invoice_path` and `notes`; on every other field `null` is the same as absent. `items`,
         *     when given, replaces all items. Unknown and server-computed fields are ignored, so a whole
         *     record sent back (`id`, `order_number`, `subtotal`, `status_history`, …) is accepted.
         */
        OrderPatch: {
            currency?: string | null;
            /**
             * Format: uuid
             * @description Another existing customer.
             */
            customer_id?: string | null;
            discount?: null | components["schemas"]["Discount"];
            invoice_path?: string | null;
            items?: components["schemas"]["NewItem"][] | null;
            notes?: string | null;
            payment_status?: null | components["schemas"]["PaymentStatus"];
            /** @description Whether the unit prices include VAT. */
            prices_include_vat?: boolean | null;
            shipping?: null | components["schemas"]["Shipping"];
            status?: null | components["schemas"]["Status"];
        };
        OriginateRequest: {
            /**
             * @description The extension that rings first (`201`); when absent, the caller's own (its profile's,
             *     set on the administration page or with `crm user set-extension`).
             */
            extension?: string | null;
            /**
             * @description The number it then dials, as the PBX's outbound routes expect it; spaces, dashes,
             *     dots, slashes and parentheses are dropped.
             */
            number: string;
        };
        /** @description What the PBX answered an `Originate` it accepted. */
        OriginateResult: {
            message?: string | null;
            /** @description `Success` or `Error`, as Asterisk answered. */
            response: string;
        };
        /** @description What happens to one row. */
        Outcome: {
            /** @enum {string} */
            outcome: "create";
        } | {
            /** Format: uuid */
            customer_id: string;
            fields: string[];
            /** @enum {string} */
            outcome: "update";
        } | {
            /** Format: uuid */
            customer_id: string;
            /** @enum {string} */
            outcome: "unchanged";
        } | {
            /** Format: int32 */
            duplicate_of: number;
            /** @enum {string} */
            outcome: "skip";
        } | {
            column: string;
            /** @enum {string} */
            outcome: "error";
            reason: string;
        };
        /**
         * @description Something a customer owns, stored as given: which fields matter per type is the console's
         *     business (`console_device`: device_id, label; `product`: product_id, product_name,
         *     quantity, serial_numbers; `freetext`: description, serial_number, notes).
         */
        OwnedItem: {
            description?: string | null;
            device_id?: string | null;
            label?: string | null;
            notes?: string | null;
            /**
             * Format: uuid
             * @description The order it was delivered with (set when a delivered order's serials are registered).
             */
            order_id?: string | null;
            product_id?: string | null;
            product_name?: string | null;
            purchased_at?: null | components["schemas"]["Timestamp"];
            /** Format: int64 */
            quantity?: number | null;
            serial_number?: string | null;
            serial_numbers?: string[] | null;
            type: components["schemas"]["OwnedItemType"];
            warranty_until?: null | components["schemas"]["Timestamp"];
        };
        /**
         * @description What kind of thing a customer owns.
         * @enum {string}
         */
        OwnedItemType: "console_device" | "product" | "freetext";
        /** @description The open leads of one owner (none: the unassigned ones). */
        OwnerSummary: {
            /** Format: int64 */
            count: number;
            owner?: string | null;
            value: components["schemas"]["Money"];
            weighted_value: components["schemas"]["Money"];
        };
        /** @description A part a technician used on a visit. */
        Part: {
            /** Format: uuid */
            product_id: string;
            /**
             * Format: int64
             * @description A positive number of units.
             */
            quantity: number;
        };
        PasswordRequest: {
            /** @description At least 8 characters. */
            password: string;
        };
        /**
         * @description How much of the order has been paid.
         * @enum {string}
         */
        PaymentStatus: "pending" | "partial" | "paid" | "refunded";
        /** @description The PBX connection as the bridge last saw it. */
        PbxLink: {
            connected_since?: null | components["schemas"]["Timestamp"];
            /** @description Why the last connection attempt failed or the link dropped. */
            last_error?: string | null;
            last_event_at?: null | components["schemas"]["Timestamp"];
        };
        PbxStatus: components["schemas"]["PbxLink"] & {
            configured: boolean;
            /** @description Logged in to the AMI right now. */
            connected: boolean;
        };
        /** @description A pipeline with its stages in board order. */
        Pipeline: {
            created_at: components["schemas"]["Timestamp"];
            /** Format: uuid */
            id: string;
            /** @description The pipeline new leads go to when they name none. */
            is_default: boolean;
            name: string;
            stages: components["schemas"]["SalesStage"][];
            updated_at: components["schemas"]["Timestamp"];
            /** Format: int64 */
            version: number;
        };
        /** @description A new pipeline, or the whole of an edited one: its name and its stages in board order. */
        PipelineInput: {
            name: string;
            stages: components["schemas"]["StageInput"][];
        };
        /** @description A pipeline's board in numbers. */
        PipelineView: {
            /** @description Open leads per owner, by owner name (unassigned last). */
            owners: components["schemas"]["OwnerSummary"][];
            /** Format: uuid */
            pipeline_id: string;
            /** @description Every stage in board order, empty ones included. */
            stages: components["schemas"]["StageSummary"][];
        };
        /** @description The first rows of a file as they would be stored. */
        Preview: {
            delimiter: components["schemas"]["Delimiter"];
            encoding: components["schemas"]["Encoding"];
            headers: string[];
            /** @description The mapping the rows below were made with. */
            mapping: components["schemas"]["Field"][];
            rows: components["schemas"]["PreviewRow"][];
            /** @description The mapping suggested from the headers. */
            suggested: components["schemas"]["Field"][];
            /**
             * Format: int64
             * @description Data rows in the file.
             */
            total_rows: number;
        };
        /** @description A mapping to preview an upload with. */
        PreviewRequest: {
            /** @description The field of each column; absent: the suggested mapping. */
            mapping?: components["schemas"]["Field"][] | null;
        };
        /** @description One row of a preview: the customer it would become (nil id), or why it cannot. */
        PreviewRow: {
            customer?: null | components["schemas"]["Customer"];
            error?: null | components["schemas"]["RowError"];
            /** Format: int32 */
            row: number;
        };
        /** @enum {string} */
        Priority: "low" | "normal" | "high" | "urgent";
        /** @description A product as stored and returned. */
        Product: {
            active: boolean;
            category: components["schemas"]["Category"];
            costs: components["schemas"]["Costs"];
            created_at: components["schemas"]["Timestamp"];
            /** @description ISO 4217 code, e.g. `EUR`. */
            currency: string;
            description?: string | null;
            /** Format: uuid */
            id: string;
            linked_device_type?: string | null;
            name: string;
            /** @description Folder in Nextcloud relative to the configured base, e.g. `02_Products/VESPER`. */
            nextcloud_folder?: string | null;
            /** @description The net list price. */
            price: components["schemas"]["Money"];
            sku: components["schemas"]["Sku"];
            stock: components["schemas"]["Stock"];
            updated_at: components["schemas"]["Timestamp"];
            /** @description The VAT rate an order line of this product gets unless it names its own. */
            vat_rate?: components["schemas"]["VatRate"];
            /**
             * Format: int64
             * @description 1 when created, +1 on every change.
             */
            version: number;
            /**
             * Format: int32
             * @description Months of warranty from delivery (0: none).
             */
            warranty_months?: number;
        };
        ProductList: {
            products: components["schemas"]["Product"][];
            /** Format: int64 */
            total: number;
        };
        /**
         * @description The body of a partial update: only the fields given change.
         *
         *     An absent field stays as it is. `null` clears the nullable fields (`description`,
         *     `nextcloud_folder`, `linked_device_type`); on every other field `null` is the same as
         *     absent. Unknown and server-computed fields are ignored, so a whole record sent back
         *     (`id`, `created_at`, `costs.total`, `stock.available`, …) is accepted.
         */
        ProductPatch: {
            active?: boolean | null;
            category?: null | components["schemas"]["Category"];
            costs?: null | components["schemas"]["CostsPatch"];
            currency?: string | null;
            description?: string | null;
            linked_device_type?: string | null;
            name?: string | null;
            nextcloud_folder?: string | null;
            /**
             * @description Exact decimal amount, at least 0, sent as a number or a decimal string.
             * @example 12.3
             */
            price?: number | string | null;
            sku?: string | null;
            stock?: null | components["schemas"]["StockPatch"];
            vat_rate?: null | components["schemas"]["VatRate"];
            /** Format: int32 */
            warranty_months?: number | null;
        };
        /** @description Someone who is not a customer yet. */
        Prospect: {
            contacts?: components["schemas"]["ProspectContact"][];
            name: string;
            organization?: string | null;
        };
        /** @description A prospect's contact: as written, and its normal form (set by the server). */
        ProspectContact: {
            kind: components["schemas"]["LeadContactKind"];
            /**
             * @description The lower-cased address or the E.164 number, set by the server (what a client sends
             *     is replaced).
             */
            normalized?: string;
            value: string;
        };
        /** @description The queues at a glance. */
        QueueOverview: {
            /** Format: int64 */
            attachments_failed: number;
            /** Format: int64 */
            attachments_pending: number;
            /** @description Failed work, newest first. */
            failed: components["schemas"]["FailedJob"][];
            inbound: components["schemas"]["ChannelQueue"][];
        };
        /** @description A quoted line, kept for the draft order a conversion may open. */
        QuotedLine: {
            description: string;
            /** Format: uuid */
            product_id?: string | null;
            /** @description Exact positive decimal, at most 3 decimal places. */
            quantity: components["schemas"]["Money"];
            /** @description Exact amount ≥ 0 in EUR, at most 6 decimal places. */
            unit_price: components["schemas"]["Money"];
        };
        /** @description Why two customers look like one. */
        Reason: {
            /** @enum {string} */
            kind: "phone";
            value: string;
        } | {
            /** @enum {string} */
            kind: "email";
            value: string;
        } | {
            /** @enum {string} */
            kind: "name";
            value: string;
        };
        /** @description A column at fault and why. */
        RowError: {
            column: string;
            reason: string;
        };
        /** @description A page of a job's rows. */
        RowPage: {
            /**
             * Format: int32
             * @description Pass as `after` for the next page; `null` on the last page.
             */
            next_after?: number | null;
            rows: components["schemas"]["RowView"][];
        };
        /**
         * @description One row of a job's report. (The domain's `RowReport` would name `customer_id` twice for
         *     `update` and `unchanged` rows: once in the outcome, once for the run.)
         */
        RowView: components["schemas"]["Outcome"] & {
            /**
             * Format: uuid
             * @description The customer a `create` row became, once written (`update` and `unchanged` rows name
             *     theirs in the outcome).
             */
            customer_id?: string | null;
            /**
             * Format: int32
             * @description As a spreadsheet numbers it (the header is row 1).
             */
            row: number;
            /** @description Whether the run has handled the row. */
            written: boolean;
        };
        /** @description One run of a workflow version. */
        Run: {
            /** @description The node the run executes next (when running or waiting), or failed at. */
            cursor?: string | null;
            /**
             * Format: int32
             * @description How many runs caused this one (0: a person, a schedule or a CRM event).
             */
            depth: number;
            error?: string | null;
            failed_node?: string | null;
            finished_at?: null | components["schemas"]["Timestamp"];
            /** Format: uuid */
            id: string;
            started_at: components["schemas"]["Timestamp"];
            status: components["schemas"]["RunStatus"];
            /**
             * Format: int64
             * @description How many steps it has taken (its per-node log has them).
             */
            step_count: number;
            trigger: Record<string, never>;
            /** Format: int64 */
            version: number;
            /** Format: uuid */
            workflow_id: string;
        };
        /** @description A run with its per-node log. */
        RunDetail: components["schemas"]["Run"] & {
            steps: components["schemas"]["Step"][];
        };
        RunList: {
            runs: components["schemas"]["Run"][];
        };
        /**
         * @description Where a run is.
         * @enum {string}
         */
        RunStatus: "running" | "waiting" | "succeeded" | "failed" | "cancelled";
        /** @description A stage of a pipeline, in board order. */
        SalesStage: {
            /** Format: uuid */
            id: string;
            lost: boolean;
            name: string;
            /**
             * Format: int32
             * @description Chance of winning a lead in this stage, 0–100 %.
             */
            probability: number;
            won: boolean;
        };
        SearchResults: {
            entries: components["schemas"]["Entry"][];
            /**
             * Format: int64
             * @description Matching entries: all of them when `total_exact`, else at least this many (very
             *     broad searches stop counting once the page is found).
             */
            total: number;
            total_exact: boolean;
        };
        /** @description An e-mail to write. */
        SendRequest: {
            /** @description The account to send from (default: the first that can send). */
            account?: string | null;
            /** @description Files to attach, as Nextcloud paths. */
            attachments?: string[];
            cc?: string[];
            /**
             * Format: uuid
             * @description The customer it is logged for.
             */
            customer_id: string;
            html?: string | null;
            /** @description The Message-ID (without angle brackets) of the mail this answers. */
            in_reply_to?: string | null;
            /** @description Documents of the customer's orders to print and attach (PDF). */
            order_documents?: components["schemas"]["OrderDocument"][];
            subject: string;
            /** @description Plain text body; give it, `html`, or both. */
            text?: string | null;
            /** @description Recipients (`a@b` or `Name <a@b>`), at least one. */
            to: string[];
        };
        /** @description A sent e-mail. */
        SendResponse: {
            /** @description The outbound entry it was logged as. */
            entry: components["schemas"]["Entry"];
            message_id: string;
            /** @description The folder the copy was appended to, if any. */
            sent_folder?: string | null;
            /** @description Set when the mail went out but something after it did not work. */
            warning?: string | null;
        };
        /** @description A device's history. */
        SerialHistory: {
            /** @description The orders that carried it, oldest first (the first sold it). */
            orders: components["schemas"]["Order"][];
            owned_item?: null | components["schemas"]["OwnedItem"];
            owner?: null | components["schemas"]["Customer"];
            serial: string;
            /** @description The service desk's tickets about it, oldest first, each with its visits. */
            tickets: components["schemas"]["TicketWithVisits"][];
            /** @description `active` until `warranty_until`, then `expired`; `unknown` without an end date. */
            warranty: components["schemas"]["WarrantyState"];
        };
        /** @description Whether free text can reach a customer on WhatsApp now. */
        ServiceWindow: {
            closes_at?: null | components["schemas"]["Timestamp"];
            last_inbound_at?: null | components["schemas"]["Timestamp"];
            /**
             * @description True within 24 hours of the customer's last WhatsApp message: text and media can be
             *     sent. False: only an approved template (Meta refuses anything else).
             */
            open: boolean;
        };
        /** @description How and where the order travels. Every field is optional. */
        Shipping: {
            /** @default null */
            carrier: string | null;
            /** @default null */
            delivered_at: null | components["schemas"]["Timestamp"];
            /**
             * @description Address or place, free text.
             * @default null
             */
            destination: string | null;
            /** @default null */
            method: string | null;
            /** @default null */
            shipped_at: null | components["schemas"]["Timestamp"];
            /** @default null */
            tracking_number: string | null;
        };
        /**
         * @description Which side a conflicting scalar field is taken from.
         * @enum {string}
         */
        Side: "kept" | "duplicate";
        /**
         * @description A stock-keeping unit, validated once when parsed.
         *
         *     Rules (decided here, relied on everywhere):
         *     - surrounding whitespace is trimmed;
         *     - 1 to 64 characters;
         *     - no whitespace inside, and none of the characters one-line text refuses (controls,
         *       bidirectional and invisible format characters, [`line_char_allowed`]): a SKU is one
         *       token (`VESPER-2`, `STR/120`); any script is allowed;
         *     - the spelling is kept as entered, but uniqueness ignores case: `vesper-2` and `VESPER-2`
         *       are the same SKU (see [`Sku::key`]).
         * @example VESPER-2
         */
        Sku: string;
        /**
         * @description Where a customer media item was found.
         * @enum {string}
         */
        Source: "nextcloud" | "record" | "both";
        /** @description One stage as a client sends it in a [`PipelineInput`]. */
        StageInput: {
            /**
             * Format: uuid
             * @description The stage's id to keep it (and its leads); absent for a new stage.
             */
            id?: string | null;
            lost?: boolean;
            name: string;
            /** Format: int32 */
            probability: number;
            won?: boolean;
        };
        /** @description A move of a lead to another stage of its pipeline (the board's drag and drop). */
        StageMove: {
            /** @description Required when the stage is a lost one (unless the lead already has one). */
            lost_reason?: string | null;
            /** Format: uuid */
            stage_id: string;
        };
        /** @description One recorded stage move, written by the server only. */
        StageMoveRecord: {
            actor: string;
            at: components["schemas"]["Timestamp"];
            /**
             * Format: uuid
             * @description Absent for the stage the lead was created in.
             */
            from_stage_id?: string | null;
            /** Format: uuid */
            to_stage_id: string;
        };
        /** @description The leads of one stage. */
        StageSummary: {
            /** Format: int64 */
            count: number;
            name: string;
            /** Format: int32 */
            probability: number;
            /** Format: uuid */
            stage_id: string;
            status: components["schemas"]["LeadStatus"];
            /** @description Sum of the estimated values (a lead without one counts 0), EUR. */
            value: components["schemas"]["Money"];
            /** @description `value × probability / 100`, exact. */
            weighted_value: components["schemas"]["Money"];
        };
        /**
         * @description Where an order is in its life. See the module documentation for the allowed moves.
         * @enum {string}
         */
        Status: "draft" | "confirmed" | "in_production" | "shipped" | "delivered" | "cancelled";
        /** @description One entry of an order's status history. */
        StatusChange: {
            at: components["schemas"]["Timestamp"];
            from?: null | components["schemas"]["Status"];
            to: components["schemas"]["Status"];
        };
        /** @description One node executed by a run: the per-node log. */
        Step: {
            /** Format: int64 */
            duration_us: number;
            error?: string | null;
            finished_at: components["schemas"]["Timestamp"];
            /** @description An output node's key, as the [`crate::Outputs`] port received it. */
            idempotency_key?: string | null;
            input?: Record<string, never> | null;
            kind: string;
            node: string;
            output?: Record<string, never> | null;
            /** Format: int64 */
            seq: number;
            started_at: components["schemas"]["Timestamp"];
            succeeded: boolean;
        };
        /** @description Units in stock. `available` is computed by the server. */
        Stock: {
            /**
             * Format: int64
             * @description Computed by the server: `on_hand − reserved`. Never read from a client.
             * @default 0
             */
            available: number;
            /**
             * Format: int64
             * @description Units physically in stock, at least 0.
             * @default 0
             */
            on_hand: number;
            /**
             * Format: int64
             * @description Units promised to orders, between 0 and `on_hand`.
             * @default 0
             */
            reserved: number;
        };
        /** @description Stock given when creating a product; absent (or `null`) counts are 0. */
        StockInput: {
            /** Format: int64 */
            on_hand?: number | null;
            /**
             * Format: int64
             * @description At most `on_hand`.
             */
            reserved?: number | null;
        };
        /** @description Stock counts to change; absent (or `null`) counts stay as they are. */
        StockPatch: {
            /** Format: int64 */
            on_hand?: number | null;
            /**
             * Format: int64
             * @description At most `on_hand`.
             */
            reserved?: number | null;
        };
        /**
         * @description How an order holds the stock of its products; see [`crate::stock`].
         * @enum {string}
         */
        StockState: "none" | "reserved" | "consumed";
        SyncRequest: {
            /**
             * @description Also compare every message on the server with what the CRM holds, and fetch what is
             *     missing (slower: lists the whole folder).
             */
            verify?: boolean;
        };
        /** @description A tag and how many tickets carry it. */
        Tag: {
            name: string;
            /** Format: int64 */
            tickets: number;
        };
        /** @description A tag to add. */
        TagName: {
            tag: string;
        };
        Template: {
            /** @description e.g. `el`, `en_US`. */
            language: string;
            name: string;
            parameters?: string[];
        };
        /** @description An entry's conversation. */
        Thread: {
            /** @description Oldest first; at most 1,000 (the newest). */
            entries: components["schemas"]["Entry"][];
        };
        /** @description A ticket as stored, with its tags and linked comms entries. */
        Ticket: {
            /** @description Username of who works on it. */
            assignee?: string | null;
            created_at: components["schemas"]["Timestamp"];
            /** Format: uuid */
            customer_id: string;
            description?: string | null;
            due_at?: null | components["schemas"]["Timestamp"];
            /** Format: uuid */
            id: string;
            kind: components["schemas"]["TicketKind"];
            /** @description The comms entries it came from or was linked to, oldest link first. */
            linked_entry_ids: string[];
            /** @description `TCK-<year>-<NNNN>`, server-assigned. */
            number: string;
            /** Format: uuid */
            order_id?: string | null;
            owned_item_serial?: string | null;
            priority: components["schemas"]["Priority"];
            status: components["schemas"]["TicketStatus"];
            subject: string;
            /** @description Tag names, in name order (ignoring case). */
            tags: string[];
            updated_at: components["schemas"]["Timestamp"];
            /** Format: int64 */
            version: number;
        };
        /**
         * @description An entry of a customer's timeline: a ticket created or moved, a visit scheduled, done or
         *     called off. Newest first, paged by `(at, seq)`.
         */
        TicketEvent: components["schemas"]["ActivityKind"] & {
            actor: string;
            at: components["schemas"]["Timestamp"];
            number: string;
            /** Format: int64 */
            seq: number;
            subject: string;
            /** Format: uuid */
            ticket_id: string;
        };
        /**
         * @description What the ticket is about.
         * @enum {string}
         */
        TicketKind: "repair" | "installation" | "maintenance" | "question" | "complaint";
        TicketList: {
            tickets: components["schemas"]["Ticket"][];
            /** Format: int64 */
            total: number;
        };
        /** @description A note on a ticket: internal, or what the customer was told. */
        TicketNote: {
            at: components["schemas"]["Timestamp"];
            author: string;
            /** Format: uuid */
            id: string;
            text: string;
            /** Format: uuid */
            ticket_id: string;
            visibility: components["schemas"]["Visibility"];
        };
        /**
         * @description A change of a ticket's fields: what is given changes, what is absent stays. `Some(None)`
         *     (JSON `null`) clears an optional field.
         */
        TicketPatch: {
            assignee?: string | null;
            description?: string | null;
            due_at?: null | components["schemas"]["Timestamp"];
            kind?: null | components["schemas"]["TicketKind"];
            /** Format: uuid */
            order_id?: string | null;
            owned_item_serial?: string | null;
            priority?: null | components["schemas"]["Priority"];
            status?: null | components["schemas"]["TicketStatus"];
            subject?: string | null;
        };
        /**
         * @description Where a ticket is in its life; see the module documentation for the moves.
         * @enum {string}
         */
        TicketStatus: "new" | "open" | "scheduled" | "in_progress" | "waiting_customer" | "resolved" | "closed";
        /** @description A ticket with its visits (the history of a serial). */
        TicketWithVisits: {
            ticket: components["schemas"]["Ticket"];
            visits: components["schemas"]["Visit"][];
        };
        Timeline: {
            items: components["schemas"]["TimelineItem"][];
            /** @description Pass as `cursor` for the next page; `null` on the last page. */
            next_cursor?: string | null;
        };
        /** @description One thing that happened with a customer. */
        TimelineItem: {
            at: components["schemas"]["Timestamp"];
            entry: components["schemas"]["Entry"];
            /** @enum {string} */
            kind: "comms";
            /** Format: uuid */
            link_id: string;
        } | {
            at: components["schemas"]["Timestamp"];
            /** @enum {string} */
            kind: "media";
            /** Format: uuid */
            link_id: string;
            media: components["schemas"]["MediaRecord"];
        } | {
            at: components["schemas"]["Timestamp"];
            /** @enum {string} */
            kind: "order_created";
            /** Format: uuid */
            link_id: string;
            order: components["schemas"]["OrderEvent"];
        } | {
            at: components["schemas"]["Timestamp"];
            /** @enum {string} */
            kind: "order_status";
            /** Format: uuid */
            link_id: string;
            order: components["schemas"]["OrderEvent"];
        } | {
            at: components["schemas"]["Timestamp"];
            /** @enum {string} */
            kind: "ticket_created";
            /** Format: uuid */
            link_id: string;
            ticket: components["schemas"]["TicketEvent"];
        } | {
            at: components["schemas"]["Timestamp"];
            /** @enum {string} */
            kind: "ticket_status";
            /** Format: uuid */
            link_id: string;
            ticket: components["schemas"]["TicketEvent"];
        } | {
            at: components["schemas"]["Timestamp"];
            /** @enum {string} */
            kind: "visit";
            /** Format: uuid */
            link_id: string;
            ticket: components["schemas"]["TicketEvent"];
        } | {
            at: components["schemas"]["Timestamp"];
            index: number;
            /** @enum {string} */
            kind: "note";
            /** Format: uuid */
            link_id: string;
            note: components["schemas"]["Note"];
        };
        /**
         * Format: date-time
         * @example 2026-11-22T09:30:00.000000Z
         */
        Timestamp: string;
        /** @description How many rows have each outcome. */
        Totals: {
            /** Format: int64 */
            create: number;
            /** Format: int64 */
            error: number;
            /** Format: int64 */
            rows: number;
            /** Format: int64 */
            skip: number;
            /** Format: int64 */
            unchanged: number;
            /** Format: int64 */
            update: number;
        };
        /** @description What starts a workflow's runs. */
        Trigger: {
            /** @enum {string} */
            kind: "manual";
        } | {
            cron?: string | null;
            /** Format: int32 */
            every_minutes?: number | null;
            /** @enum {string} */
            kind: "schedule";
            timezone?: string | null;
        } | {
            /** @enum {string} */
            kind: "event";
            name: string;
        };
        /** @description A trigger kind, for the console's form. */
        TriggerInfo: {
            description: string;
            fields: components["schemas"]["FieldInfo"][];
            /** @description `manual`, `schedule` or `event`. */
            kind: string;
        };
        /** @description An uploaded file, read and previewed with the suggested mapping. */
        Upload: components["schemas"]["Preview"] & {
            file_name: string;
            /**
             * Format: int64
             * @description Bytes.
             */
            size: number;
            /**
             * Format: uuid
             * @description Name it in the dry run (`POST /api/crm/imports`).
             */
            upload_id: string;
        };
        Uploaded: {
            /** @description The file as stored. */
            file: components["schemas"]["FileItem"];
            media?: null | components["schemas"]["MediaRecord"];
            /** @description Whether a file of that name was there before (and is now replaced). */
            replaced: boolean;
        };
        /**
         * @description The multipart form of `POST /nextcloud/upload`. Every field comes before `file` (the file
         *     streams to Nextcloud as it arrives, so its destination must be known by then).
         */
        UploadForm: {
            /**
             * Format: uuid
             * @description Whose file it is: the media record is created only when this or `order_id` is given.
             */
            customer_id?: string | null;
            /**
             * Format: binary
             * @description The file, last; its part's `filename` is the name in Nextcloud.
             */
            file: string;
            /**
             * @description Destination folder, relative to the base folder (created when missing). A
             *     `Sent Media`, `Received Media` or `Internal` segment sets the record's direction
             *     (sent, received, internal; internal otherwise).
             */
            nextcloud_path: string;
            /**
             * Format: uuid
             * @description The order it belongs to (its customer is the record's customer when `customer_id` is
             *     not given).
             */
            order_id?: string | null;
        };
        /** @description What to change; absent fields stay as they are, `null` clears a text. */
        UserChangeRequest: {
            /** @description Disabling ends the user's sessions at once. */
            disabled?: boolean | null;
            display_name?: string | null;
            extension?: string | null;
            /** @description Replaces every permission. Changing them ends the user's sessions. */
            permissions?: string[] | null;
            signature?: string | null;
        };
        /** @description The net and the VAT of an order's lines at one rate. */
        VatAmount: {
            /** @description Σ `net_amount` of the lines at this rate. */
            net: components["schemas"]["Money"];
            rate: components["schemas"]["VatRate"];
            /** @description Σ `vat_amount` of the lines at this rate. */
            vat: components["schemas"]["Money"];
        };
        /**
         * @description VAT (ΦΠΑ) rate in percent: 24, 13, 6, or 0 for an exempt supply.
         * @example 24
         * @enum {integer}
         */
        VatRate: 24 | 13 | 6 | 0;
        /**
         * @description Who may see a note: the team only, or it is what the customer was told.
         * @enum {string}
         */
        Visibility: "internal" | "customer";
        /** @description An on-site visit of a technician. */
        Visit: {
            address?: string | null;
            created_at: components["schemas"]["Timestamp"];
            ends_at: components["schemas"]["Timestamp"];
            /** Format: uuid */
            id: string;
            outcome?: string | null;
            /** @description Parts used (taken from stock when the visit was completed). */
            parts: components["schemas"]["Part"][];
            starts_at: components["schemas"]["Timestamp"];
            status: components["schemas"]["VisitStatus"];
            /** @description Username of the technician. */
            technician: string;
            /** Format: uuid */
            ticket_id: string;
            updated_at: components["schemas"]["Timestamp"];
            /** Format: int64 */
            version: number;
        };
        /** @description What happens to a scheduled visit. */
        VisitChange: {
            /** @description Take units reserved for orders too (never below zero on hand). */
            allow_negative_stock?: boolean;
            outcome?: string | null;
            parts?: components["schemas"]["Part"][];
            /** @enum {string} */
            status: "completed";
        } | {
            /** @enum {string} */
            status: "cancelled";
        };
        /** @enum {string} */
        VisitStatus: "scheduled" | "completed" | "cancelled";
        /** @enum {string} */
        WarrantyState: "active" | "expired" | "unknown";
        /**
         * @description One of `text`, `template` or `media`, to a customer (their WhatsApp, else phone contact)
         *     or a number. (Named apart from the e-mail `SendRequest` in the API document.)
         */
        WhatsAppSendRequest: {
            /** Format: uuid */
            customer_id?: string | null;
            media?: null | components["schemas"]["MediaToSend"];
            template?: null | components["schemas"]["Template"];
            text?: string | null;
            /** @description A number in any common form; needed without `customer_id`. */
            to?: string | null;
        };
        WhatsAppStatus: {
            configured: boolean;
            last_webhook_at?: null | components["schemas"]["Timestamp"];
        };
        /** @description A workflow with its current version's definition. */
        Workflow: {
            created_at: components["schemas"]["Timestamp"];
            definition: components["schemas"]["Definition"];
            enabled: boolean;
            /** Format: uuid */
            id: string;
            name: string;
            updated_at: components["schemas"]["Timestamp"];
            /** Format: int64 */
            version: number;
        };
        WorkflowList: {
            workflows: components["schemas"]["Workflow"][];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    admin_integrations: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IntegrationStatus"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    admin_retry: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
                kind: components["schemas"]["JobKind"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no failed job of that kind and id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    admin_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminUserList"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the token lacks `crm:admin` */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    admin_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewUserRequest"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminUser"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the name is taken (ignoring case) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a field is not valid; `details.field` names it */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description too many password computations at once */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    admin_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                username: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminUser"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    admin_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                username: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UserChangeRequest"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminUser"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `last_admin`: no enabled administrator would be left */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a field is not valid, or the administrator would cut themselves off */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    admin_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                username: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `last_admin` */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description administrators cannot delete themselves */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    admin_set_password: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                username: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PasswordRequest"];
            };
        };
        responses: {
            /** @description changed; the user's tokens no longer work */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description too many password computations at once */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    auth_login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginRequest"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoginResponse"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description wrong user name or password, or a disabled user */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is larger than `max_body_bytes` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description too many attempts from this address or for this user name */
            429: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description too many logins being checked at once */
            503: {
                headers: {
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    auth_me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Me"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    calls_originate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OriginateRequest"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OriginateResult"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is larger than `max_body_bytes` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the PBX refused the call */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    comms_list: {
        parameters: {
            query: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Whose entries. */
                customer_id: string;
                direction?: components["schemas"]["Direction"];
                /** @description Page size (default 100, at most 1000). */
                limit?: number;
                /** @description Only missed calls (`true`: inbound and unanswered), or everything else (`false`). */
                missed?: boolean;
                /** @description Only entries of this channel. */
                type?: components["schemas"]["CommsType"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EntryList"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    comms_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewEntry"];
            };
        };
        responses: {
            /** @description already stored under its ext_message_id */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Entry"];
                };
            };
            201: {
                headers: {
                    ETag?: string;
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Entry"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    comms_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Entry"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    comms_update: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETag from a read */
                "If-Match"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EntryPatch"];
            };
        };
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Entry"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is larger than `max_body_bytes` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    comms_delete: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    comms_thread: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Thread"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tickets_from_entry: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the comms entry */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["FromEntry"];
            };
        };
        responses: {
            201: {
                headers: {
                    ETag?: string;
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ticket"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such entry */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    comms_missed_calls: {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Page size (default 100, at most 1000). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EntryList"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    comms_search: {
        parameters: {
            query: {
                customer_id?: string;
                /** @description Page size (default 100, at most 1000). */
                limit?: number;
                offset?: number;
                /**
                 * @description Words to find in subjects and bodies: Greek without regard to case, accents or final
                 *     sigma, Greeklish, and the last word as a prefix.
                 */
                q: string;
                type?: components["schemas"]["CommsType"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SearchResults"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    customers_list: {
        parameters: {
            query?: {
                /**
                 * @description Only customers in this city: the whole name, ignoring case and accents
                 *     (`ΘΕΣΣΑΛΟΝΙΚΗ` finds `Θεσσαλονίκη`).
                 */
                city?: string;
                /** @description Page size (default 50, at most 500). */
                limit?: number;
                /** @description Records to skip. */
                offset?: number;
                /**
                 * @description Only customers in this region: the whole name, ignoring case and accents
                 *     (`κεντρικη μακεδονια` finds `Κεντρική Μακεδονία`).
                 */
                region?: string;
                /**
                 * @description Words to find in name, organization, contacts, tags and location (city, region,
                 *     country). Greek is matched without
                 *     regard to case, accents or final sigma, Greeklish is understood, and the last word may
                 *     be a prefix (search as you type).
                 */
                search?: string;
                /** @description Only customers with this tag. */
                tag?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CustomerList"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    customers_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewCustomer"];
            };
        };
        responses: {
            201: {
                headers: {
                    ETag?: string;
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Customer"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    customers_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Customer"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    customers_update: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETag from a read */
                "If-Match"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CustomerPatch"];
            };
        };
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Customer"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is larger than `max_body_bytes` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    customers_delete: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description orders, comms or media refer to the customer; details count each */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    customers_customer_media: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CustomerMedia"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    customers_merge_into: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETag of the customer that stays */
                "If-Match"?: string | null;
            };
            path: {
                /** @description The customer that stays */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MergeRequest"];
            };
        };
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MergeOutcome"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the duplicate was merged into another customer */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    customers_history: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MergeRecord"][];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    customers_add_note: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewNote"];
            };
        };
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Customer"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tickets_for_customer: {
        parameters: {
            query?: {
                /** @description Username. */
                assignee?: string;
                customer_id?: string;
                /** @description Page size, 50 by default, at most 500. */
                limit?: number;
                offset?: number;
                /** @description Only for `/customers/{id}/tickets`: the tickets neither resolved nor closed, all at once. */
                open?: boolean;
                /** @description Only tickets past their due date that are neither resolved nor closed. */
                overdue?: boolean;
                priority?: components["schemas"]["Priority"];
                /** @description `newest` (default) or `due` (soonest due first). */
                sort?: "newest" | "due";
                /** @description One status or several separated by commas (`new,open`). */
                status?: string;
                /** @description A tag, ignoring case. */
                tag?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TicketList"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    customers_timeline: {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Page size (default 50, at most 200). */
                limit?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Timeline"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    customers_by_contact: {
        parameters: {
            query: {
                /** @description An e-mail address (any case) or a phone number written any common way. */
                value: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Customer"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    customers_duplicates: {
        parameters: {
            query?: {
                /** @description At most this many pairs (1–500, default 100). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DuplicatePair"][];
                };
            };
            /** @description the query string is not one */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    email_send: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SendRequest"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SendResponse"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is larger than `max_body_bytes` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description an invalid address, an unknown customer or attachment */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the SMTP server refused the mail; `details.reply` is its answer */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description e-mail not configured, or the SMTP server unreachable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    email_status: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AccountStatus"][];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    email_sync: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SyncRequest"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FolderReport"][];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is larger than `max_body_bytes` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    imports_list: {
        parameters: {
            query?: {
                /** @description Jobs to return, newest first: 50 by default, at most 500. */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"][];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    imports_plan: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewImport"];
            };
        };
        responses: {
            201: {
                headers: {
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such upload (any more): upload the file again */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a mapping or key refused, named in `details` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    imports_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    imports_cancel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            202: {
                headers: {
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the job is not running */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    imports_error_csv: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    "Content-Disposition"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "text/csv; charset=utf-8": string;
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    imports_rows: {
        parameters: {
            query?: {
                /** @description The rows after this row number (a page's `next_after`); from the start by default. */
                after?: number;
                /** @description Page size: 100 by default, at most 1000. */
                limit?: number;
                /** @description Only the rows with this outcome: `create`, `update`, `unchanged`, `skip` or `error`. */
                outcome?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RowPage"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    imports_run: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            202: {
                headers: {
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the job is running or has run */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    imports_upload: {
        parameters: {
            query?: {
                /** @description The file's name, for a raw body (a form's part names its own). */
                filename?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["ImportForm"];
                /**
                 * @example Ονομασία;Τηλέφωνο
                 *     Ι.Ν. Αγίου Νικολάου;2101234567
                 */
                "text/csv": string;
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Upload"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a file larger than 20 MiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description not a CSV file this import reads */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    imports_preview: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PreviewRequest"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Preview"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such upload (any more): upload the file again */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a mapping that does not fit the file */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    comms_inbox: {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description Page size (default 100, at most 1000). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EntryList"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    comms_assign: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AssignRequest"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AssignResult"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the entry is not in the inbox */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is larger than `max_body_bytes` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    sales_list: {
        parameters: {
            query?: {
                /** @description `next_cursor` of the previous page. */
                cursor?: string;
                /** @description The customer it is about or was converted into. */
                customer_id?: string;
                /** @description Page size (default 50, at most 500). */
                limit?: number;
                /** @description Username of the owner. */
                owner?: string;
                pipeline_id?: string;
                /** @description Words in the title or the prospect's name, ignoring case and accents. */
                q?: string;
                source?: components["schemas"]["LeadSource"];
                stage_id?: string;
                status?: components["schemas"]["LeadStatus"];
                /** @description A tag, ignoring case. */
                tag?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LeadList"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    sales_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewLead"];
            };
        };
        responses: {
            201: {
                headers: {
                    ETag?: string;
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Lead"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no such pipeline */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a field refused, named in `details` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    sales_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Lead"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    sales_update: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETag from a read */
                "If-Match"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LeadPatch"];
            };
        };
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Lead"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    sales_comms: {
        parameters: {
            query?: {
                /** @description Default 100, at most 1000. */
                limit?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LeadComms"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    sales_convert: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ConvertRequest"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Conversion"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the lead is not won */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `lines`: a draft order without quoted lines, or a field the customer or order refused */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    sales_history: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LeadHistory"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    sales_move_stage: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETag from a read */
                "If-Match"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["StageMove"];
            };
        };
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Lead"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the lead changed since it was read */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `stage_id` not of the lead's pipeline, or `lost_reason` missing */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tickets_macros: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Macro"][];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tickets_create_macro: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewMacro"];
            };
        };
        responses: {
            201: {
                headers: {
                    ETag?: string;
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Macro"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the name is taken */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tickets_update_macro: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETag from a read */
                "If-Match"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewMacro"];
            };
        };
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Macro"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the name is taken */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tickets_delete_macro: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    media_list: {
        parameters: {
            query?: {
                /**
                 * @description A customer's records (this or `order_id` is required; both: the customer's for the
                 *     order).
                 */
                customer_id?: string;
                /** @description Page size (default 100, at most 1000). */
                limit?: number;
                offset?: number;
                /** @description An order's records. */
                order_id?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MediaList"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    media_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewMedia"];
            };
        };
        responses: {
            201: {
                headers: {
                    ETag?: string;
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MediaRecord"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the file has a record already */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    media_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MediaRecord"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    media_delete: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    nextcloud_browse: {
        parameters: {
            query?: {
                /** @description Folder relative to the configured base folder (default: the base folder itself). */
                path?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Listing"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `path` is refused or names a file */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Nextcloud not configured or unreachable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    nextcloud_download: {
        parameters: {
            query: {
                /** @description File relative to the configured base folder. */
                path: string;
            };
            header?: {
                /** @description one byte range, e.g. `bytes=0-1023` */
                Range?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": unknown;
                };
            };
            /** @description the range asked for, with `Content-Range` */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the range starts past the end */
            416: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    nextcloud_delete: {
        parameters: {
            query: {
                /** @description File relative to the configured base folder. */
                path: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    nextcloud_upload: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["UploadForm"];
            };
        };
        responses: {
            /** @description an existing file was replaced */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Uploaded"];
                };
            };
            /** @description a new file */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Uploaded"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description larger than `max_upload_bytes` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    orders_list: {
        parameters: {
            query?: {
                /** @description Only this customer's orders. */
                customer_id?: string;
                /** @description Page size (default 100, at most 1000). */
                limit?: number;
                /** @description Records to skip. */
                offset?: number;
                /** @description Only orders with this payment status. */
                payment_status?: components["schemas"]["PaymentStatus"];
                /**
                 * @description An order number, whole or in part, or words of the customer's name. `ORD-2026-014`,
                 *     `2026-14`, `014` and `14` all find ORD-2026-014 (digits alone are the sequence, a
                 *     year–sequence pair that one number; leading zeros do not matter). The same text also
                 *     finds the orders of the customers the customer search finds for it (Greek without regard
                 *     to case, accents or inflection, Greeklish: `agios nikolaos` finds «Ιερός Ναός Αγίου
                 *     Νικολάου»). At most 200 characters; blank is no search.
                 */
                search?: string;
                /** @description Only orders in this status. */
                status?: components["schemas"]["Status"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderList"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    orders_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewOrder"];
            };
        };
        responses: {
            201: {
                headers: {
                    ETag?: string;
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Order"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    orders_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Order"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    orders_update: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETag from a read */
                "If-Match"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OrderPatch"];
            };
        };
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Order"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description not enough stock of a product for the status change */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is larger than `max_body_bytes` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    orders_delete: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the order holds stock: cancel it first */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    orders_document: {
        parameters: {
            query?: {
                /** @description `quotation` or `confirmation`; default: a quotation for a draft, else a confirmation. */
                kind?: components["schemas"]["Kind"];
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    /** @description attachment; filename="Prosfora-ORD-2026-001.pdf" */
                    "Content-Disposition"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/pdf": number[];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a `kind` that is not a document */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    sales_pipelines: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Pipeline"][];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    sales_create_pipeline: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PipelineInput"];
            };
        };
        responses: {
            201: {
                headers: {
                    ETag?: string;
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Pipeline"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description another pipeline has this name */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a field refused, named in `details` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    sales_pipeline: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Pipeline"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    sales_update_pipeline: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETag from a read */
                "If-Match"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PipelineInput"];
            };
        };
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Pipeline"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a stage holding leads removed or changed kind, or the name taken */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    sales_view: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PipelineView"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    products_list: {
        parameters: {
            query?: {
                /** @description Only active (`true`) or inactive (`false`) products. */
                active?: boolean;
                /** @description Only this category. */
                category?: components["schemas"]["Category"];
                /** @description Page size (default 100, at most 1000). */
                limit?: number;
                /** @description Records to skip. */
                offset?: number;
                /** @description Case-insensitive match on name or SKU. */
                search?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProductList"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    products_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewProduct"];
            };
        };
        responses: {
            201: {
                headers: {
                    ETag?: string;
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Product"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description duplicate SKU */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    products_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Product"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    products_update: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETag from a read */
                "If-Match"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ProductPatch"];
            };
        };
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Product"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is larger than `max_body_bytes` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    products_delete: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description orders refer to it */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    orders_serial: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                serial: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SerialHistory"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no order carried it and no ticket is about it */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tickets_tags: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Tag"][];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tickets_list: {
        parameters: {
            query?: {
                /** @description Username. */
                assignee?: string;
                customer_id?: string;
                /** @description Page size, 50 by default, at most 500. */
                limit?: number;
                offset?: number;
                /** @description Only for `/customers/{id}/tickets`: the tickets neither resolved nor closed, all at once. */
                open?: boolean;
                /** @description Only tickets past their due date that are neither resolved nor closed. */
                overdue?: boolean;
                priority?: components["schemas"]["Priority"];
                /** @description `newest` (default) or `due` (soonest due first). */
                sort?: "newest" | "due";
                /** @description One status or several separated by commas (`new,open`). */
                status?: string;
                /** @description A tag, ignoring case. */
                tag?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TicketList"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tickets_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewTicket"];
            };
        };
        responses: {
            201: {
                headers: {
                    ETag?: string;
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ticket"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a field refused, named in `details` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tickets_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ticket"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tickets_update: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETag from a read */
                "If-Match"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TicketPatch"];
            };
        };
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ticket"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a status move not allowed */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tickets_activities: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Activity"][];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tickets_link_entry: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EntryLink"];
            };
        };
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ticket"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `entry_id`: no such entry, or another customer's */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tickets_apply_macro: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                id: string;
                macro_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ticket"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a status move not allowed */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tickets_notes: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TicketNote"][];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tickets_add_note: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewTicketNote"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TicketNote"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tickets_add_tag: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TagName"];
            };
        };
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ticket"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tickets_remove_tag: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                id: string;
                tag: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ticket"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tickets_list_visits: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Visit"][];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tickets_schedule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewVisit"];
            };
        };
        responses: {
            201: {
                headers: {
                    ETag?: string;
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Visit"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the ticket is closed */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tickets_update_visit: {
        parameters: {
            query?: never;
            header?: {
                "If-Match"?: string | null;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VisitChange"];
            };
        };
        responses: {
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Visit"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description not scheduled any more, or not enough stock */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    whatsapp_send: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WhatsAppSendRequest"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Entry"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the body is larger than `max_body_bytes` */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description WhatsApp refused it; details carry Meta's error */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    whatsapp_window: {
        parameters: {
            query: {
                customer_id: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ServiceWindow"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    workflows_run: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunDetail"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    workflows_cancel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunDetail"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the run already ended */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    workflows_retry: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunDetail"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the run did not fail */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    workflows_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkflowList"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    workflows_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewWorkflow"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workflow"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a field refused, named in `details` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    workflows_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workflow"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    workflows_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Definition"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workflow"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a field refused, named in `details` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    workflows_disable: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workflow"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    workflows_enable: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Workflow"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    workflows_runs: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunList"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    workflows_start: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ManualRun"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RunDetail"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a field refused, named in `details` */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    workflows_catalogue: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CatalogueView"];
                };
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    whatsapp_verify: {
        parameters: {
            query?: {
                "hub.challenge"?: string;
                "hub.mode"?: string;
                "hub.verify_token"?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the hub.challenge */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": unknown;
                };
            };
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    whatsapp_receive: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description Meta's webhook payload, signed */
        requestBody: {
            content: {
                "application/json": string;
            };
        };
        responses: {
            /** @description stored */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    system_health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthReport"];
                };
            };
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
}
