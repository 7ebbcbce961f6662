variable "region" {
  description = "AWS region for the cluster and buckets."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name prefix for every resource (cluster name, bucket prefix, IAM roles)."
  type        = string
  default     = "shoptalk"
}

variable "kubernetes_version" {
  description = "EKS control plane version."
  type        = string
  default     = "1.32"
}

variable "vpc_cidr" {
  description = "CIDR of the cluster VPC."
  type        = string
  default     = "10.40.0.0/16"
}

variable "availability_zones" {
  description = "Two or three AZs for the subnets."
  type        = list(string)
  default     = ["us-east-1a", "us-east-1b", "us-east-1c"]
}

variable "public_access_cidrs" {
  description = "CIDRs allowed to reach the public API endpoint; empty disables public access."
  type        = list(string)
  default     = []
}

variable "cpu_instance_types" {
  description = "Instance types of the CPU node group (gateway, Prefect, MLflow, stores)."
  type        = list(string)
  default     = ["m6i.xlarge"]
}

variable "cpu_node_count" {
  description = "Desired, minimum and maximum size of the CPU node group."
  type = object({
    desired = number
    min     = number
    max     = number
  })
  default = { desired = 3, min = 2, max = 6 }
}

variable "gpu_instance_types" {
  description = "Instance types of the GPU node group (NVIDIA T4 / A10G)."
  type        = list(string)
  default     = ["g5.xlarge", "g4dn.xlarge"]
}

variable "gpu_node_count" {
  description = "Desired, minimum and maximum size of the GPU node group."
  type = object({
    desired = number
    min     = number
    max     = number
  })
  default = { desired = 1, min = 0, max = 4 }
}

variable "gpu_capacity_type" {
  description = "ON_DEMAND or SPOT for the GPU node group."
  type        = string
  default     = "ON_DEMAND"

  validation {
    condition     = contains(["ON_DEMAND", "SPOT"], var.gpu_capacity_type)
    error_message = "gpu_capacity_type must be ON_DEMAND or SPOT."
  }
}

variable "app_namespace" {
  description = "Kubernetes namespace of the ShopTalk release (IRSA trust)."
  type        = string
  default     = "shoptalk"
}

variable "app_service_account" {
  description = "Kubernetes ServiceAccount of the ShopTalk release (IRSA trust)."
  type        = string
  default     = "shoptalk"
}

variable "log_retention_days" {
  description = "Retention of the control plane and VPC flow logs."
  type        = number
  default     = 365
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
